"""The Webhooks page in Chromium against a real `nexus serve`: an admin adds a webhook from the keyboard,
sees its secret once, sends a ping that the server's own worker delivers, signed, to a receiver on
loopback (the suite's server has NEXUS_WEBHOOK_ALLOW_PRIVATE=true), and finds it in the delivery log;
axe finds nothing serious or critical at a laptop's size and a phone's."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.core.webhooks.conftest import verified
from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import Project, Team
from tests.e2e.library import screenshot, wait_until_connected
from tests.receiver import running_receiver

VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 812}}
DELIVERY_TIMEOUT_MS = 30_000


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_add_a_webhook_see_its_secret_once_ping_it_and_read_the_log(
    page: Page,
    team: Team,
    make_project: Callable[[str], Project],
    sign_in: Callable[..., None],
    screenshots: Path,
    viewport: str,
) -> None:
    page.set_viewport_size(VIEWPORTS[viewport])
    project = make_project("Site Builds")
    sign_in(team.admin)
    page.goto(f"/admin/{project.slug}/webhooks")
    expect(page.get_by_role("heading", level=1)).to_have_text("Webhooks")
    expect(page.get_by_test_id("nav-webhooks")).to_have_class(re.compile(r"\bactive\b"))
    wait_until_connected(page)
    assert_accessible(page, f"webhooks, none yet ({viewport})")

    with running_receiver() as receiver:
        url = page.get_by_label("Payload URL")
        url.focus()
        page.keyboard.type(receiver.url)
        page.keyboard.press("Tab")  # the first event's checkbox
        expect(page.get_by_role("checkbox", name=re.compile(r"^media\.created"))).to_be_focused()
        for _ in range(2):
            page.keyboard.press("Tab")
        expect(page.get_by_role("checkbox", name=re.compile(r"^media\.updated"))).to_be_focused()
        page.keyboard.press("Space")  # leave media.updated out
        expect(page.get_by_role("checkbox", name=re.compile(r"^media\.updated"))).not_to_be_checked()
        url.focus()
        page.keyboard.press("Enter")

        dialog = page.get_by_role("dialog", name="Your webhook's signing secret")
        expect(dialog).to_be_visible()
        secret = page.get_by_test_id("webhook-secret").inner_text().strip()
        assert secret.startswith("whsec_")
        assert_accessible(page, f"the new webhook's secret ({viewport})")
        page.evaluate("window.scrollTo(0, 0)")
        screenshot(page, screenshots / f"webhooks-secret-{viewport}.png")
        page.get_by_test_id("secret-done").click()
        expect(dialog).to_be_hidden()
        expect(page.get_by_text(secret)).to_have_count(0)

        card = page.get_by_test_id("webhook-card")
        expect(card.get_by_test_id("webhook-state")).to_contain_text("Active")
        expect(card.get_by_role("switch", name=f"Enabled: the webhook to {receiver.url}")).to_be_checked()
        expect(card).to_contain_text("media.created")
        expect(card).not_to_contain_text("media.updated")
        ping = card.get_by_role("button", name="Send ping")
        expect(ping).to_be_focused()  # the next step, once the dialog is gone
        page.keyboard.press("Enter")

        (received,) = receiver.wait_for(1, timeout=DELIVERY_TIMEOUT_MS / 1000)
        document = verified(received, secret)
        assert (document["event"], document["project"]["slug"]) == ("ping", project.slug)
        row = card.get_by_test_id("delivery-row")
        expect(row).to_have_count(1, timeout=DELIVERY_TIMEOUT_MS)
        expect(row.get_by_test_id("delivery-status")).to_have_text("204")
        expect(row).to_contain_text("ping")
        expect(row).to_contain_text("Delivered")
        expect(page.locator(".q-notification")).to_have_count(
            0, timeout=15_000
        )  # axe reads fading ones wrong
        assert_accessible(page, f"webhooks with a delivery log ({viewport})")
        page.evaluate("window.scrollTo(0, 0)")
        screenshot(page, screenshots / f"webhooks-{viewport}.png")

    page.reload()
    expect(page.get_by_test_id("webhook-card")).to_have_count(1)
    assert secret not in page.content()  # shown once, never again
