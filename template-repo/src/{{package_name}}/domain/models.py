"""Domain values: immutable, typed, and free of framework types."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class HealthStatus(StrEnum):
    """Overall state of the service."""

    OK = "ok"
    FAILING = "failing"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one health check (a database, a downstream service...)."""

    name: str
    healthy: bool
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class HealthReport:
    """The service's version and the result of every health check."""

    version: str
    checks: tuple[CheckResult, ...] = ()

    @property
    def status(self) -> HealthStatus:
        """OK only when every check passed; a service without checks is OK."""
        if all(check.healthy for check in self.checks):
            return HealthStatus.OK
        return HealthStatus.FAILING
