"""Request dependencies for the API: a database session and the acting member."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header
from sqlmodel import Session

from nexus_core import accounts
from nexus_core.db import session_scope
from nexus_core.errors import NotAuthenticated
from nexus_core.policies import Actor


def get_session() -> Iterator[Session]:
    with session_scope() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_api_actor(session: SessionDep, authorization: Annotated[str | None, Header()] = None) -> Actor:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("Send an API key as “Authorization: Bearer <key>”.")
    return accounts.actor_for_api_token(session, token.strip())


ActorDep = Annotated[Actor, Depends(get_api_actor)]
