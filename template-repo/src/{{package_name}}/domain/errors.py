"""Errors the domain and application raise on purpose.

The API layer maps them to HTTP responses (see `api/errors.py`); code here
never mentions status codes.
"""


class DomainError(Exception):
    """Base class of expected, reportable failures."""


class NotFoundError(DomainError):
    """The requested entity does not exist."""


class ConflictError(DomainError):
    """The request contradicts the current state (a duplicate, a stale version...)."""
