"""An explicit result type: expected failures are values, not exceptions.

A use case that can fail in a way the caller must handle (not found, a
duplicate, invalid input) returns `Ok(value)` or `Err(error)`; the caller
matches on it. Exceptions stay for bugs and broken infrastructure.

    match service.get(customer_id):
        case Ok(customer): ...
        case Err(error): ...
"""

from dataclasses import dataclass
from typing import Generic, TypeAlias, TypeVar

T = TypeVar("T", covariant=True)
E = TypeVar("E", covariant=True)


@dataclass(frozen=True, slots=True)
class Ok(Generic[T]):
    """Success, with its value."""

    value: T


@dataclass(frozen=True, slots=True)
class Err(Generic[E]):
    """An expected failure, with the error that says what went wrong."""

    error: E


Result: TypeAlias = Ok[T] | Err[E]
