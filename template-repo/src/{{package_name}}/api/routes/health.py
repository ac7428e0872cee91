"""`GET /healthz`: 200 when every check passes, 503 otherwise."""

from fastapi import APIRouter, Response, status

from ...domain.models import HealthStatus
from ..dependencies import HealthServiceDep
from ..schemas.health import HealthOut

router = APIRouter(tags=["health"])


@router.get(
    "/healthz",
    responses={status.HTTP_503_SERVICE_UNAVAILABLE: {"model": HealthOut}},
)
def healthz(service: HealthServiceDep, response: Response) -> HealthOut:
    report = service.report()
    if report.status is not HealthStatus.OK:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return HealthOut.from_report(report)
