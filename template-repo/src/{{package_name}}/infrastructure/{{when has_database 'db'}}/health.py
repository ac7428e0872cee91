"""A health check that the database answers."""

from sqlalchemy import Engine, text

from ...domain.models import CheckResult


class DatabaseCheck:
    """Implements `application.health.HealthCheck` with `SELECT 1`."""

    name = "database"

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def __call__(self) -> CheckResult:
        with self._engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return CheckResult(name=self.name, healthy=True)
