"""The JSON:API under /api/v1."""

from fastapi import APIRouter

from nexus_core.api.media_items import router as media_items_router

router = APIRouter(prefix="/api/v1")
router.include_router(media_items_router)

__all__ = ["router"]
