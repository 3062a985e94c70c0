"""The project and its admin that most core tests act in, and head starts for those about them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session

from nexus_core.media import head_start
from nexus_core.models import Project
from nexus_core.policies import Actor
from tests.factories import admin_of, make_project


@pytest.fixture
def project(session: Session) -> Project:
    return make_project(session)


@pytest.fixture
def admin(session: Session, project: Project) -> Actor:
    return admin_of(session, project)


@pytest.fixture
def head_starts() -> Iterator[None]:
    """Uploads get a head start, as in a web process that runs its own worker."""
    head_start.enable()
    yield
    head_start.disable()
