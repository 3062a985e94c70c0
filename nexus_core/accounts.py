"""Use cases for people: accounts, passwords and API keys."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import NamedTuple
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from nexus_core.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound
from nexus_core.models import ApiKey, User
from nexus_core.models.base import as_utc, utcnow
from nexus_core.policies import Action, Actor, authorize
from nexus_core.projects import MemberRow, actor_for, list_members
from nexus_core.read_models import ApiKeyView, UserView
from nexus_core.text import require_storable
from nexus_core.throttle import login_throttle
from nexus_core.users import find_user, normalize_email

_password_hasher = PasswordHasher()
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 8
API_KEY_PREFIX = "nx"
# Verified against when the email is unknown, so a miss costs as much time as a wrong password.
_DUMMY_HASH = _password_hasher.hash(secrets.token_hex(16))


def create_user(session: Session, *, email: str, password: str) -> User:
    email = normalize_email(email)
    if not _EMAIL.match(email):
        raise InvalidInput(f"“{email}” is not a valid email address.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    if find_user(session, email) is not None:
        raise Conflict(f"A user with the email {email} already exists.")
    user = User(email=email, password_hash=_password_hasher.hash(password))
    session.add(user)
    session.commit()
    return user


def authenticate(session: Session, *, email: str, password: str, client: str = "unknown") -> UserView:
    """The user with these credentials; one message for every failure, and a pause after many."""
    email = normalize_email(email)
    login_throttle.check(email=email, client=client)
    user = find_user(session, email)
    try:
        _password_hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        user = None
    if user is None:
        login_throttle.failed(email=email, client=client)
        raise NotAuthenticated("Wrong email or password.")
    login_throttle.succeeded(email=email, client=client)
    if _password_hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _password_hasher.hash(password)
        session.add(user)
        session.commit()
    return UserView.of(user)


@dataclass(frozen=True)
class IssuedApiKey:
    """A new key: `token` is shown once and never stored."""

    key: ApiKeyView
    token: str


def _hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough; a slow one would only slow requests.
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_key(session: Session, *, actor: Actor, user_id: UUID, name: str = "") -> IssuedApiKey:
    """An admin issues a key acting for a member of their project."""
    authorize(actor, Action.MANAGE_API_KEYS)
    return issue_api_key(session, project_id=actor.project_id, user_id=user_id, name=name)


def issue_api_key(session: Session, *, project_id: UUID, user_id: UUID, name: str = "") -> IssuedApiKey:
    """The operator's way (CLI): a key for a member of the project, with no actor to authorise."""
    actor_for(session, user_id=user_id, project_id=project_id)
    prefix = secrets.token_hex(4)
    token = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        project_id=project_id,
        user_id=user_id,
        name=require_storable(name.strip(), "The key name")[:100],
        prefix=prefix,
        key_hash=_hash_token(token),
    )
    session.add(key)
    session.commit()
    return IssuedApiKey(key=ApiKeyView.of(key), token=token)


def list_api_keys(session: Session, *, actor: Actor) -> list[ApiKeyView]:
    authorize(actor, Action.MANAGE_API_KEYS)
    query = (
        select(ApiKey).where(ApiKey.project_id == actor.project_id).order_by(col(ApiKey.inserted_at).desc())
    )
    return [ApiKeyView.of(key) for key in session.exec(query)]


class ApiKeyRow(NamedTuple):
    key: ApiKeyView
    owner_email: str


def list_api_keys_with_owners(session: Session, *, actor: Actor) -> list[ApiKeyRow]:
    """The project's keys, newest first, each with the email of the member it acts for."""
    authorize(actor, Action.MANAGE_API_KEYS)
    query = (
        select(ApiKey, User.email)
        .join(User, col(User.id) == ApiKey.user_id)
        .where(ApiKey.project_id == actor.project_id)
        .order_by(col(ApiKey.inserted_at).desc())
    )
    return [ApiKeyRow(ApiKeyView.of(key), email) for key, email in session.exec(query)]


@dataclass(frozen=True)
class ApiKeysOverview:
    """What the API keys screen shows; `allowed` is False when the person's role does not manage keys."""

    allowed: bool
    keys: list[ApiKeyRow] = field(default_factory=list)
    members: list[MemberRow] = field(default_factory=list)


def api_keys_overview(session: Session, *, actor: Actor) -> ApiKeysOverview:
    """Keys with their owners and the members a new key may act for; for others, only that they may not."""
    try:
        keys = list_api_keys_with_owners(session, actor=actor)
    except Forbidden:
        return ApiKeysOverview(allowed=False)
    return ApiKeysOverview(allowed=True, keys=keys, members=list_members(session, actor=actor))


def revoke_api_key(session: Session, *, actor: Actor, key_id: UUID) -> ApiKeyView:
    authorize(actor, Action.MANAGE_API_KEYS)
    key = session.get(ApiKey, key_id)
    if key is None or key.project_id != actor.project_id:
        raise NotFound("No such API key in this project.")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.add(key)
        session.commit()
    return ApiKeyView.of(key)


LAST_USED_PRECISION = timedelta(minutes=1)
"""A key's last use is recorded to the minute: a write (and a commit that waits for the disk) on every
request would cost a script polling the API more than the request itself."""


def actor_for_api_token(session: Session, token: str) -> Actor:
    """The member a bearer token acts for; every kind of bad token gets the same 401."""
    parts = token.split("_", 2)
    refused = NotAuthenticated("The API key is missing, malformed, unknown or revoked.")
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        raise refused
    key = session.exec(select(ApiKey).where(ApiKey.prefix == parts[1])).first()
    if key is None or key.revoked_at is not None or not hmac.compare_digest(key.key_hash, _hash_token(token)):
        raise refused
    try:
        actor = actor_for(session, user_id=key.user_id, project_id=key.project_id)
    except NotFound:
        raise refused from None
    now = utcnow()
    if key.last_used_at is None or now - as_utc(key.last_used_at) >= LAST_USED_PRECISION:
        key.last_used_at = now
        session.add(key)
        session.commit()
    return actor
