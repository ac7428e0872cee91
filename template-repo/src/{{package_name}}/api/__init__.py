"""The HTTP layer: FastAPI app, routes, request/response schemas, error mapping."""
