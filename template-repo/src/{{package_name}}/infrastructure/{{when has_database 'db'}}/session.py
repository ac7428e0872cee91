"""Engines and sessions; the only place that knows how to connect."""

from typing import Any

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool


def create_db_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for `url`; an in-memory SQLite database is shared by all threads."""
    options: dict[str, Any] = {"echo": echo}
    if url.startswith("sqlite"):
        options["connect_args"] = {"check_same_thread": False}
        if url == "sqlite://" or ":memory:" in url:
            options["poolclass"] = StaticPool
    else:
        options["pool_pre_ping"] = True
    return create_engine(url, **options)


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose objects stay readable after commit (responses are built after it)."""
    return sessionmaker(engine, expire_on_commit=False)
