"""Response models of `/healthz` and `/readyz`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ...domain.models import HealthReport, HealthStatus


class LivenessOut(BaseModel):
    status: HealthStatus
    version: str


class CheckOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    healthy: bool
    detail: str | None = None


class HealthOut(BaseModel):
    status: HealthStatus
    version: str
    checks: list[CheckOut]

    @classmethod
    def from_report(cls, report: HealthReport) -> HealthOut:
        return cls(
            status=report.status,
            version=report.version,
            checks=[CheckOut.model_validate(check) for check in report.checks],
        )
