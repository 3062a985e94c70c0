"""Changing what describes an item: its alt text (stage 2's focal point and crop belong here too)."""

from __future__ import annotations

from uuid import UUID

from sqlmodel import Session

from nexus_core.errors import InvalidInput
from nexus_core.media.library import load_item
from nexus_core.models.base import utcnow
from nexus_core.policies import Action, Actor, authorize
from nexus_core.read_models import MediaItemView
from nexus_core.text import require_storable

MAX_ALT_TEXT_LENGTH = 1000


def clean_alt_text(alt_text: str | None) -> str:
    text = require_storable(" ".join((alt_text or "").split()), "Alt text")
    if len(text) > MAX_ALT_TEXT_LENGTH:
        raise InvalidInput(f"Alt text can have at most {MAX_ALT_TEXT_LENGTH} characters; it has {len(text)}.")
    return text


def update_alt_text(
    session: Session, *, actor: Actor, item_id: UUID | str, alt_text: str | None
) -> MediaItemView:
    item = load_item(session, actor=actor, item_id=item_id)
    authorize(actor, Action.EDIT_MEDIA)
    item.alt_text = clean_alt_text(alt_text)
    item.updated_at = utcnow()
    session.add(item)
    session.commit()
    return MediaItemView.of(item)
