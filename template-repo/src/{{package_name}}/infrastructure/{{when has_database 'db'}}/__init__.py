"""SQLAlchemy 2: the declarative base, the ORM models, engines and sessions."""
