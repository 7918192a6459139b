"""One router per resource; `app.main` collects them."""
