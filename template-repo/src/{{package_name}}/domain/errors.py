"""The expected failures of the domain and its use cases.

Use cases return them inside `Err` (see `domain/result.py`) rather than
raising them; the API layer turns them into problem responses (see
`api/errors.py`). Code here never mentions status codes.
"""


class DomainError(Exception):
    """Base class of expected, reportable failures."""


class NotFoundError(DomainError):
    """The requested entity does not exist."""


class ConflictError(DomainError):
    """The request contradicts the current state (a duplicate, a stale version...)."""
