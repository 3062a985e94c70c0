"""Finding a person by email: what signing in (accounts) and adding a member (projects) both need."""

from __future__ import annotations

from uuid import UUID

from sqlmodel import Session, select

from nexus_core.errors import NotFound
from nexus_core.models import User
from nexus_core.read_models import UserView
from nexus_core.text import require_storable


def normalize_email(email: str) -> str:
    return require_storable(email.strip().lower(), "The email address")


def find_user(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalize_email(email))).first()


def get_user_by_email(session: Session, email: str) -> User:
    user = find_user(session, email)
    if user is None:
        raise NotFound(f"No user with the email {normalize_email(email)}.")
    return user


def get_user(session: Session, user_id: UUID) -> UserView | None:
    """The person behind a signed-in browser; None once their account is gone."""
    user = session.get(User, user_id)
    return UserView.of(user) if user else None
