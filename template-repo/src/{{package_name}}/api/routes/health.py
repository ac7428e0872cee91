"""Probes: `GET /healthz` (the process is up) and `GET /readyz` (its dependencies answer)."""

from fastapi import APIRouter, Response, status

from ... import __version__
from ...domain.models import HealthStatus
from ..dependencies import HealthServiceDep
from ..schemas.health import HealthOut, LivenessOut

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> LivenessOut:
    """Liveness: 200 while the process serves requests; checks nothing else."""
    return LivenessOut(status=HealthStatus.OK, version=__version__)


@router.get(
    "/readyz",
    responses={status.HTTP_503_SERVICE_UNAVAILABLE: {"model": HealthOut}},
)
def readyz(service: HealthServiceDep, response: Response) -> HealthOut:
    """Readiness: 200 when every check passes (the database, if any), 503 otherwise."""
    report = service.report()
    if report.status is not HealthStatus.OK:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return HealthOut.from_report(report)
