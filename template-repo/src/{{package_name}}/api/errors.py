"""Maps domain errors to RFC 9457 problem responses (`application/problem+json`)."""

from http import HTTPStatus
from typing import TypeVar

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ..domain.errors import ConflictError, DomainError, NotFoundError
from ..domain.result import Err, Ok, Result
from .schemas.problem import Problem

T = TypeVar("T")

STATUS_BY_ERROR: dict[type[DomainError], HTTPStatus] = {
    NotFoundError: HTTPStatus.NOT_FOUND,
    ConflictError: HTTPStatus.CONFLICT,
}


def unwrap(result: Result[T, DomainError]) -> T:
    """The value of an `Ok`; an `Err` leaves the handler as its problem response."""
    match result:
        case Ok(value):
            return value
        case Err(error):
            raise error


def problem_response(status: HTTPStatus, detail: str) -> JSONResponse:
    problem = Problem(title=status.phrase, status=status.value, detail=detail)
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=status.value,
        media_type="application/problem+json",
    )


async def handle_domain_error(_request: Request, error: Exception) -> JSONResponse:
    status = next(
        (code for kind, code in STATUS_BY_ERROR.items() if isinstance(error, kind)),
        HTTPStatus.UNPROCESSABLE_ENTITY,
    )
    return problem_response(status, str(error))


def register_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, handle_domain_error)
