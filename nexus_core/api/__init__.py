"""The JSON:API under /api/v1, with its OpenAPI document; every other request under /api/v1 is a
JSON:API 404 or 405 (fallback.py)."""

from fastapi import APIRouter

from nexus_core.api.fallback import PREFIX, fallback_routes
from nexus_core.api.folders import router as folders_router
from nexus_core.api.media_items import router as media_items_router
from nexus_core.api.openapi import openapi_endpoint
from nexus_core.api.operations import router as operations_router
from nexus_core.api.webhooks import router as webhooks_router

router = APIRouter(prefix=PREFIX)
router.include_router(media_items_router)
router.include_router(folders_router)
router.include_router(operations_router)
router.include_router(webhooks_router)
router.add_api_route("/openapi.json", openapi_endpoint(router.routes), include_in_schema=False)
router.routes.extend(fallback_routes(router.routes))

__all__ = ["router"]
