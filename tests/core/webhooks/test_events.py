"""The use cases tell webhooks what happened: upload (media.created), processing (media.ready), changes
of one item or of a batch (media.updated), deletions (media.deleted) and publishing (page.published),
each as a queued delivery, so the person's request never waits for a receiver."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlmodel import Session

from nexus_core.content import pages
from nexus_core.media import bulk, deletion, editing, replacing, upload, variants
from nexus_core.media.editing import ItemChanges
from nexus_core.media.edits import EditChanges
from nexus_core.media.upload import IncomingFile
from nexus_core.policies import Actor
from nexus_core.read_models import MediaItemView
from nexus_core.webhooks import service
from tests import images
from tests.core.webhooks.conftest import ALL_EVENTS, verified
from tests.factories import admin_of, make_project
from tests.queue import QueuedJobs
from tests.receiver import Answer, Receiver

pytestmark = pytest.mark.usefixtures("private_allowed")


class Listener:
    """A webhook of the project on the loopback receiver; `heard()` runs the queue and reads what came."""

    def __init__(
        self, session: Session, admin: Actor, receiver: Receiver, jobs: QueuedJobs, events: list[str]
    ):
        self.issued = service.create_webhook(session, actor=admin, url=receiver.url, events=events)
        self.receiver, self.jobs = receiver, jobs
        self.seen = 0

    def heard(self) -> list[dict[str, Any]]:
        """The documents received since the last look, in the order sent."""
        self.jobs.run_all()
        new = self.receiver.received[self.seen :]
        self.seen = len(self.receiver.received)
        return [verified(request, self.issued.secret) for request in new]


@pytest.fixture
def listener(session: Session, admin: Actor, receiver: Receiver, jobs: QueuedJobs) -> Listener:
    return Listener(session, admin, receiver, jobs, ALL_EVENTS)


def add_image(session: Session, admin: Actor, name: str = "pier.jpg") -> MediaItemView:
    (item,) = upload.upload(session, actor=admin, files=[IncomingFile(name, images.jpeg(640, 480))])
    return item


def summary(documents: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(document["event"], document["data"]["id"]) for document in documents]


def test_an_upload_is_created_then_ready(
    session: Session, admin: Actor, listener: Listener, jobs: QueuedJobs
) -> None:
    item = add_image(session, admin)
    assert listener.receiver.received == []  # queued with the processing job; nothing sent yet
    created, ready = listener.heard()
    assert summary([created, ready]) == [("media.created", str(item.id)), ("media.ready", str(item.id))]
    assert created["data"]["attributes"]["status"] == "pending"
    assert created["data"]["attributes"]["filename"] == "pier.jpg"
    assert created["data"]["links"]["self"].endswith(f"/api/v1/media_items/{item.id}")
    attributes = ready["data"]["attributes"]
    assert attributes["status"] == "ready"
    assert set(attributes["variants"]) == {"thumb"}
    assert attributes["url"].endswith(f"/media/{admin.project_id}/{item.id}.jpg")
    assert created["project"]["id"] == ready["project"]["id"] == str(admin.project_id)
    assert created["id"] != ready["id"]

    variants.process_item(session, item_id=item.id)  # made again: not news
    assert listener.heard() == []


def test_changes_to_one_item_and_to_a_batch_are_updates(
    session: Session, admin: Actor, listener: Listener
) -> None:
    first, second, third = (add_image(session, admin, f"{name}.jpg") for name in ("a", "b", "c"))
    listener.heard()

    editing.update_item(session, actor=admin, item_id=first.id, changes=ItemChanges(alt_text="The pier"))
    (updated,) = listener.heard()
    assert (updated["event"], updated["data"]["attributes"]["alt_text"]) == ("media.updated", "The pier")

    editing.update_item(session, actor=admin, item_id=first.id, changes=ItemChanges())
    assert listener.heard() == []  # nothing changed, nothing to tell

    bulk.apply(
        session,
        actor=admin,
        operations=[
            bulk.Update(first.id, ItemChanges(tags=["harbour"])),
            bulk.Update(second.id, ItemChanges(tags=["harbour"])),
            bulk.Remove(third.id),
        ],
    )
    heard = listener.heard()
    assert summary(heard) == [
        ("media.updated", str(first.id)),
        ("media.updated", str(second.id)),
        ("media.deleted", str(third.id)),
    ]
    assert heard[0]["data"]["attributes"]["tags"] == ["harbour"]
    assert heard[2]["data"] == {"type": "media_items", "id": str(third.id)}


def test_an_edit_and_a_replaced_file_are_updates_then_their_new_version_is_ready(
    session: Session, admin: Actor, listener: Listener
) -> None:
    item = add_image(session, admin)
    listener.heard()

    editing.update_item(
        session, actor=admin, item_id=item.id, changes=ItemChanges(edits=EditChanges(rotate=90))
    )
    updated, ready = listener.heard()
    assert summary([updated, ready]) == [("media.updated", str(item.id)), ("media.ready", str(item.id))]
    attributes = updated["data"]["attributes"]
    assert (attributes["version"], attributes["rotate"]) == (2, 90)
    assert (attributes["original_width"], attributes["original_height"]) == (640, 480)
    assert ready["data"]["attributes"]["status"] == "ready"
    assert (ready["data"]["attributes"]["width"], ready["data"]["attributes"]["height"]) == (480, 640)

    file = IncomingFile("pier.png", images.png(320, 200))
    replacing.replace_file(session, actor=admin, item_id=item.id, file=file)
    updated, ready = listener.heard()
    assert summary([updated, ready]) == [("media.updated", str(item.id)), ("media.ready", str(item.id))]
    attributes = ready["data"]["attributes"]
    assert (attributes["version"], attributes["rotate"], attributes["mime_type"]) == (3, 0, "image/png")


def test_a_failed_batch_tells_nothing(session: Session, admin: Actor, listener: Listener) -> None:
    item = add_image(session, admin)
    listener.heard()
    with pytest.raises(bulk.OperationFailed):
        bulk.apply(
            session,
            actor=admin,
            operations=[bulk.Update(item.id, ItemChanges(alt_text="x")), bulk.Remove("not-an-id")],
        )
    assert listener.heard() == []


def test_a_deletion(session: Session, admin: Actor, listener: Listener) -> None:
    item = add_image(session, admin)
    listener.heard()
    deletion.delete_item(session, actor=admin, item_id=item.id)
    (deleted,) = listener.heard()
    assert (deleted["event"], deleted["data"]) == (
        "media.deleted",
        {"type": "media_items", "id": str(item.id)},
    )


def test_publishing_a_page(session: Session, admin: Actor, listener: Listener) -> None:
    page = pages.create_page(session, actor=admin, title="Summer at the harbour")
    pages.set_published(session, actor=admin, page_id=page.id, published=True)
    (published,) = listener.heard()
    assert published["event"] == "page.published"
    assert published["data"]["type"] == "pages"
    attributes = published["data"]["attributes"]
    assert (attributes["title"], attributes["status"]) == ("Summer at the harbour", "published")
    assert attributes["url"].endswith(f"/p/{published['project']['slug']}/summer-at-the-harbour")
    assert attributes["published_at"] is not None

    pages.set_published(session, actor=admin, page_id=page.id, published=False)
    assert listener.heard() == []  # unpublishing is no event


def test_each_webhook_hears_only_its_events_of_its_project(
    session: Session, admin: Actor, receiver: Receiver, jobs: QueuedJobs
) -> None:
    pages_only = Listener(session, admin, receiver, jobs, ["page.published"])
    switched_off = Listener(session, admin, receiver, jobs, ALL_EVENTS)
    service.update_webhook(
        session,
        actor=admin,
        webhook_id=switched_off.issued.webhook.id,
        changes=service.WebhookChanges(enabled=False),
    )
    elsewhere = admin_of(session, make_project(session))
    add_image(session, elsewhere)
    add_image(session, admin)
    page = pages.create_page(session, actor=admin, title="News")
    pages.set_published(session, actor=admin, page_id=page.id, published=True)

    heard = pages_only.heard()
    assert [document["event"] for document in heard] == ["page.published"]
    assert len(receiver.received) == 1  # nothing for the disabled one, nothing from the other project


def test_a_project_without_webhooks_queues_no_deliveries(
    session: Session, admin: Actor, jobs: QueuedJobs
) -> None:
    add_image(session, admin)
    assert jobs.pending() == 1  # its processing, nothing else
    assert jobs.run_next() == "process_media_item"
    assert jobs.pending() == 0


def test_a_slow_receiver_does_not_hold_up_the_upload(
    session: Session, admin: Actor, listener: Listener, jobs: QueuedJobs
) -> None:
    listener.receiver.otherwise = Answer(204, delay=5)
    started = time.monotonic()
    add_image(session, admin)
    assert time.monotonic() - started < 3
    assert jobs.pending() == 2  # the delivery and the processing, each a job of its own
    assert listener.receiver.received == []
