"""Fixtures of the API tests: an app with the API and the /media proxy, and a project's keys."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from nexus_core.api import router as api_router
from nexus_core.config import get_settings
from nexus_core.media.proxy import router as media_router
from tests.core.api.helpers import Team, make_team

PUBLIC_URL = "http://nexus.test"


@pytest.fixture
def client(settings_env: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The API as served at NEXUS_PUBLIC_URL."""
    settings_env.setenv("NEXUS_PUBLIC_URL", PUBLIC_URL)
    get_settings.cache_clear()
    app = FastAPI()
    app.include_router(api_router)
    app.include_router(media_router)
    with TestClient(app, base_url=PUBLIC_URL) as test_client:
        yield test_client


@pytest.fixture
def team(session: Session) -> Team:
    return make_team(session)
