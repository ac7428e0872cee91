"""The versioned API: every module router, mounted by `create_app()` under `/api/v1`."""

from fastapi import APIRouter

api_router = APIRouter()

# Modules import and include their routers below the marker (graft injects them).
# graft: routers
