"""The web layer: validate, call the core, serialize."""
