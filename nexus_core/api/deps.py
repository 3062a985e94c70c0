"""Request dependencies for the API: a database session and the acting member."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from nexus_core import accounts
from nexus_core.db import session_scope
from nexus_core.errors import NotAuthenticated
from nexus_core.policies import Actor


def get_session() -> Iterator[Session]:
    with session_scope() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


bearer = HTTPBearer(auto_error=False, description="An API key of the project, made on its “API keys” page.")
"""Declares the scheme in the OpenAPI document; a missing or non-Bearer header reads as None."""


def get_api_actor(
    session: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)]
) -> Actor:
    if credentials is None:
        raise NotAuthenticated("Send an API key as “Authorization: Bearer <key>”.")
    return accounts.actor_for_api_token(session, credentials.credentials)


ActorDep = Annotated[Actor, Depends(get_api_actor)]
