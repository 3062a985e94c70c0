"""Signing in and finding the media library."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Project, Team
from tests.e2e.library import screenshot, wait_for_library, wait_until_connected


def test_sign_in_after_being_sent_to_login(
    page: Page, team: Team, shared_project: Project, screenshots: Path
) -> None:
    page.goto(shared_project.library)
    expect(page).to_have_url(re.compile(rf"/login\?next={re.escape(quote(shared_project.library))}$"))
    sign_in_button = page.get_by_role("button", name="Sign in")
    expect(sign_in_button).to_be_visible()
    wait_until_connected(page)
    expect(page.get_by_test_id("login-error")).to_be_hidden()
    screenshot(page, screenshots / "login.png")

    page.get_by_label("Email").fill(team.editor)
    page.get_by_label("Password").fill("not the password")
    sign_in_button.click()
    expect(page.get_by_test_id("login-error")).to_have_text("Wrong email or password.")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_label("Password")).to_have_value("")
    screenshot(page, screenshots / "login-wrong-password.png")

    page.get_by_label("Password").fill(team.password)
    sign_in_button.click()
    expect(page).to_have_url(re.compile(rf"{re.escape(shared_project.library)}$"))
    wait_for_library(page)
    expect(page.get_by_role("banner")).to_contain_text(shared_project.name)


def test_media_link_in_the_sidebar_opens_the_library(
    page: Page, team: Team, shared_project: Project, sign_in: Callable[..., None], screenshots: Path
) -> None:
    sign_in(team.editor)
    page.goto("/")
    expect(page.get_by_text("Your projects")).to_be_visible()
    card = page.get_by_role("link").filter(has_text=shared_project.name)
    expect(card).to_be_visible()
    wait_until_connected(page)
    screenshot(page, screenshots / "projects.png")

    card.click()
    expect(page).to_have_url(re.compile(rf"{re.escape(shared_project.library)}$"))
    wait_for_library(page)
    media_link = page.get_by_test_id("nav-media")
    expect(media_link).to_be_visible()
    expect(media_link).to_have_accessible_name("Media")
    expect(media_link).to_have_class(re.compile(r"\bactive\b"))
    for other in ("nav-pages", "nav-members", "nav-api-keys"):
        expect(page.get_by_test_id(other)).to_be_visible()
        expect(page.get_by_test_id(other)).not_to_have_class(re.compile(r"\bactive\b"))

    page.evaluate("window.__before_click = true")
    media_link.click()
    expect(page).to_have_url(re.compile(rf"{re.escape(shared_project.library)}$"))
    page.wait_for_function("window.__before_click === undefined")  # a new page was loaded
    wait_for_library(page)
    expect(page.get_by_text("Media", exact=True).first).to_be_visible()
    expect(page.get_by_test_id("nav-media")).to_have_class(re.compile(r"\bactive\b"))
