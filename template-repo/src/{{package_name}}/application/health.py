"""The health use case: run every check and report the result."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from ..domain.models import CheckResult, HealthReport


class HealthCheck(Protocol):
    """A port: something that can tell whether one dependency works."""

    @property
    def name(self) -> str: ...

    def __call__(self) -> CheckResult: ...


class HealthService:
    """Runs the configured checks; a check that raises counts as unhealthy."""

    def __init__(self, version: str, checks: Iterable[HealthCheck] = ()) -> None:
        self._version = version
        self._checks = tuple(checks)

    def report(self) -> HealthReport:
        return HealthReport(
            version=self._version,
            checks=tuple(self._run(check) for check in self._checks),
        )

    @staticmethod
    def _run(check: HealthCheck) -> CheckResult:
        # A broken dependency must show up in the report, not crash the probe.
        try:
            return check()
        except Exception as error:
            return CheckResult(name=check.name, healthy=False, detail=type(error).__name__)
