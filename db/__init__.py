"""Everyseat's storage: SQLAlchemy models, the engine factory and Alembic migrations."""
