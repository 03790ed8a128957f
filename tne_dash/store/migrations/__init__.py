"""Alembic migrations: they own the schema of every backend (SQLite and PostgreSQL)."""
