"""Persistence: SQLAlchemy 2 async models, engine set-up, sessions and de-duplication."""
