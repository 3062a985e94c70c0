"""The Webhooks page with NiceGUI's simulated user: add (the secret once), refusals, ping and the log,
disable, delete; everyone but admins sees only a note."""

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import Session, select

from nexus_core import projects
from nexus_core.models import Project, Role, Webhook
from nexus_core.webhooks import service
from tests.core.webhooks.conftest import verified
from tests.factories import admin_of
from tests.receiver import Receiver
from tests.ui.conftest import member_email, sign_in

pytestmark = pytest.mark.nicegui_main_file("tests/ui/main.py")


def stored(session: Session) -> list[Webhook]:
    session.expire_all()
    return list(session.exec(select(Webhook)))


async def open_webhooks(user: User, project: Project, email: str) -> None:
    await sign_in(user, email, next_path=f"/admin/{project.slug}/webhooks")
    await user.should_see("Tell other programs")


def text_of(user: User, marker: str) -> str:
    (label,) = user.find(marker=marker).elements
    assert isinstance(label, ui.label)
    return label.text


async def add_webhook(user: User, url: str, *, leave_out: tuple[str, ...] = ()) -> None:
    user.find(marker="webhook-url-input").clear().type(url)
    for event in leave_out:
        user.find(marker=f"event-{event}").click()
    user.find(marker="add-webhook").click()


@pytest.mark.usefixtures("private_allowed")
async def test_admin_adds_a_webhook_sees_its_secret_once_pings_it_and_reads_the_log(
    user: User, session: Session, project: Project, receiver: Receiver
) -> None:
    await open_webhooks(user, project, member_email(session, project, Role.ADMIN))
    await user.should_see(marker="no-webhooks")
    await add_webhook(user, receiver.url, leave_out=("media.updated",))
    await user.should_see("Your webhook's signing secret")
    secret = text_of(user, "webhook-secret")
    (webhook,) = stored(session)
    assert (webhook.url, webhook.secret, webhook.enabled) == (receiver.url, secret, True)
    assert webhook.events == ["media.created", "media.ready", "media.deleted", "page.published"]

    user.find(marker="secret-done").click()
    await user.should_not_see(secret)
    await user.should_see(receiver.url, marker="webhook-url")
    await user.should_see(marker="no-deliveries")

    user.find(marker="ping").click()
    await user.should_see("Ping delivered: 204", retries=100)
    (received,) = receiver.received
    assert verified(received, secret)["event"] == "ping"
    await user.should_see(marker="delivery-row")
    await user.should_see("204", marker="delivery-status")
    await user.should_see("Delivery log (1 attempt, newest first)")


async def test_a_refused_url_says_why_and_keeps_nothing(
    user: User, session: Session, project: Project
) -> None:
    await open_webhooks(user, project, member_email(session, project, Role.ADMIN))
    await add_webhook(user, "http://127.0.0.1:9/hooks")
    await user.should_see("127.0.0.1 is a loopback address")
    await add_webhook(user, "ftp://files.example.com/hooks")
    await user.should_see("must start with http:// or https://")
    assert stored(session) == []
    await user.should_not_see("Your webhook's signing secret")


@pytest.mark.usefixtures("private_allowed")
async def test_admin_disables_enables_and_deletes_a_webhook(
    user: User, session: Session, project: Project, receiver: Receiver
) -> None:
    service.create_webhook(
        session, actor=admin_of(session, project), url=receiver.url, events=["media.created"]
    )
    await open_webhooks(user, project, member_email(session, project, Role.ADMIN))
    await user.should_see("Active", marker="webhook-state")

    user.find(marker="webhook-enabled").click()
    await user.should_see("Disabled", marker="webhook-state")
    assert [webhook.enabled for webhook in stored(session)] == [False]
    user.find(marker="webhook-enabled").click()
    await user.should_see("Active", marker="webhook-state")
    assert [webhook.enabled for webhook in stored(session)] == [True]

    user.find(marker="delete-webhook").click()
    await user.should_see("Delete this webhook?")
    user.find(marker="confirm-delete-webhook").click()
    await user.should_see("Webhook deleted")
    await user.should_see(marker="no-webhooks")
    assert stored(session) == []


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER])
async def test_non_admins_see_only_the_note(
    user: User, session: Session, project: Project, role: Role
) -> None:
    service.create_webhook(
        session,
        actor=admin_of(session, project),
        url="https://hooks.example.invalid/",
        events=["media.created"],
    )
    await open_webhooks(user, project, member_email(session, project, role))
    await user.should_see("Only project admins can manage webhooks.")
    for hidden in ("add-webhook-form", "webhook-card", "ping"):
        await user.should_not_see(marker=hidden)
    await user.should_not_see("hooks.example.invalid")


async def test_an_admin_demoted_after_opening_the_page_cannot_add(
    user: User, session: Session, project: Project
) -> None:
    email = member_email(session, project, Role.ADMIN)
    await open_webhooks(user, project, email)
    admin = admin_of(session, project)
    (member,) = [member for member in projects.list_members(session, actor=admin) if member.email == email]
    projects.change_role(session, actor=admin, user_id=member.user_id, role=Role.EDITOR)

    await add_webhook(user, "https://hooks.example.invalid/")
    await user.should_see("Your role (editor) cannot manage webhooks")
    assert stored(session) == []
