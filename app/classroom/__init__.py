"""The classroom loop (issue #14, docs/classroom.md): classes, students, challenges and their
scored submissions in SQLite, and the broker that carries a class's messages to every process.

Plain Python and SQLite: nothing here knows of FastAPI; app/api/routes/classes.py and
app/api/live/classroom.py are the web layer over it."""
