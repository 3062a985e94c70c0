"""Stored XSS (issue 9): hostile text in everything an editor or an API key controls — filenames, alt
text, page titles, template fields, rich text, member emails, API key names, folder names, tags, the
library's URL query — and the project name,
shown on every admin screen and on the published pages, must never run as script.

The payloads (tests/e2e/xss.py) are seeded straight into the server's database and through its
JSON:API; the admin then opens each screen in Chromium. Page slugs are not seeded with payloads: they
are refused unless they are lowercase letters, digits and hyphens (`pages.save_page`)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from nexus_core import accounts, projects, users
from nexus_core.content import pages
from nexus_core.db import create_db_engine
from nexus_core.errors import InvalidInput
from nexus_core.media import bulk, folders, tags
from nexus_core.models import Role
from nexus_core.policies import Actor
from tests import images
from tests.e2e.conftest import PASSWORD, Project, Server, Team
from tests.e2e.library import open_detail, open_library, tile_by_id, tiles, wait_until_connected
from tests.e2e.pages_helpers import body, pages_list_path
from tests.e2e.xss import Listener, ScriptWatch, image_url_payloads, text_payloads

PROJECT_NAME = "Red team \"><svg onload=alert(1)> {{constructor.constructor('alert(1)')()}} \\"


@dataclass(frozen=True)
class Item:
    item_id: str
    filename: str
    alt_text: str
    uploader: str


@dataclass(frozen=True)
class SeededPage:
    page_id: str
    slug: str
    title: str


@dataclass(frozen=True)
class Hostile:
    project: Project
    items: list[Item]
    pages: list[SeededPage]
    emails: list[str]
    key_names: list[str]
    folders: list[str]


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    with Listener().serving() as serving:
        yield serving


@pytest.fixture(scope="module")
def hostile(server: Server, team: Team, listener: Listener) -> Iterator[Hostile]:
    """A project with, per payload, an API key named with it, an image uploaded with that key with it
    as filename and alt text, and a published page with it in every field; the keys act for editors
    whose emails carry payloads too (every third one: each new account costs a password hash)."""
    payloads = text_payloads(listener.url)
    token = secrets.token_hex(3)
    project = Project(name=PROJECT_NAME, slug=f"red-team-{token}")
    engine = create_db_engine(server.environment["NEXUS_DATABASE_URL"])
    with Session(engine, expire_on_commit=False) as session:
        admin = users.get_user_by_email(session, team.admin)
        editor = users.get_user_by_email(session, team.editor)
        created = projects.create_project(session, name=project.name, slug=project.slug, owner=admin)
        people = [editor]
        for number, payload in enumerate(payloads[::3]):
            local_part = "".join(char for char in payload if not char.isspace() and char != "@")
            email = f"{local_part}{number}@red-{token}.example"
            people.append(accounts.create_user(session, email=email, password=PASSWORD))
        for person in people:
            projects.set_member_role(session, actor=None, user=person, project=created, role=Role.EDITOR)
        keys = [
            accounts.issue_api_key(
                session,
                project_id=created.id,
                user_id=people[1 + number % (len(people) - 1)].id,
                name=payload,
            )
            for number, payload in enumerate(payloads)
        ]
        emails = {person.id: person.email for person in people}
        items = [
            _upload(server, key.token, f"{payload}.png", payload, uploader=emails[key.key.user_id])
            for key, payload in zip(keys, payloads, strict=True)
        ]
        actor = projects.actor_for(session, user_id=editor.id, project_id=created.id)
        hero_values = image_url_payloads()
        seeded = [
            _page(session, actor, payload, hero_values[number % len(hero_values)], items[number])
            for number, payload in enumerate(payloads)
        ]
        folder_names = _organise(session, actor, payloads, items)
    engine.dispose()
    emails = [person.email for person in people[1:]]
    yield Hostile(project, items, seeded, emails, [k.key.name for k in keys], folder_names)


def _organise(session: Session, actor: Actor, payloads: list[str], items: list[Item]) -> list[str]:
    """A folder named with each payload holding its image, which carries the payload as a tag."""
    names = []
    for number, (payload, item) in enumerate(zip(payloads, items, strict=True)):
        folder = folders.create_folder(session, actor=actor, name=f"{payload[:90]} {number}")
        tags.set_tags(session, actor=actor, item_id=item.item_id, tags=[f"{payload[:44]} {number}"])
        bulk.move(session, actor=actor, item_ids=[UUID(item.item_id)], folder=folder.id)
        names.append(folder.name)
    return names


def _upload(server: Server, token: str, filename: str, alt_text: str, *, uploader: str) -> Item:
    answer = httpx.post(
        f"{server.base_url}/api/v1/media_items",
        headers={"Authorization": f"Bearer {token}"},
        files={"file": (filename, images.png(96, 64), "image/png")},
        data={"alt_text": alt_text},
    )
    assert answer.status_code == 201, answer.text
    resource = answer.json()["data"]
    attributes = resource["attributes"]
    return Item(resource["id"], attributes["filename"], attributes["alt_text"], uploader)


def _page(session: Session, actor: Actor, payload: str, hero: str, item: Item) -> SeededPage:
    """A published page with the payload in its title, summary, hero image and body (text, link, image)."""
    created = pages.create_page(session, actor=actor, title=payload)
    image_url = f"/media/{actor.project_id}/{item.item_id}.png"
    body = {
        "type": "doc",
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": payload}]},
            {
                "type": "paragraph",
                "content": [
                    {"type": "text", "text": payload, "marks": [{"type": "link", "attrs": {"href": payload}}]}
                ],
            },
            {"type": "image", "attrs": {"src": image_url, "alt": payload, "mediaId": item.item_id}},
        ],
    }
    fields: dict[str, Any] = {"title": payload, "slug": created.slug, "body_json": body}
    try:
        saved = pages.save_page(
            session,
            actor=actor,
            page_id=created.id,
            template_data={"summary": payload, "hero_image": hero},
            **fields,
        )
    except InvalidInput:  # an image field refuses what is neither http(s) nor /media (javascript:)
        saved = pages.save_page(
            session, actor=actor, page_id=created.id, template_data={"summary": payload}, **fields
        )
    pages.set_published(session, actor=actor, page_id=saved.id, published=True)
    return SeededPage(str(saved.id), saved.slug, saved.title)


@pytest.fixture
def watch(page: Page, team: Team, sign_in: Callable[..., None], listener: Listener) -> ScriptWatch:
    """The admin, signed in, with a dialog listener; the loopback listener starts empty."""
    listener.requests.clear()
    sign_in(team.admin)
    return ScriptWatch(page, listener)


def test_library_grid_runs_no_payload(page: Page, watch: ScriptWatch, hostile: Hostile) -> None:
    open_library(page, hostile.project.library)
    expect(tiles(page)).to_have_count(len(hostile.items))
    watch.assert_nothing_ran("library grid")
    for item in hostile.items:
        tile = tile_by_id(page, item.item_id)
        expect(tile).to_contain_text(item.filename)
        expect(tile.locator("img")).to_have_attribute("alt", item.alt_text)


def test_detail_panel_runs_no_payload(page: Page, watch: ScriptWatch, hostile: Hostile) -> None:
    open_library(page, hostile.project.library)
    for item in hostile.items:
        open_detail(page, item.item_id)
        expect(page.get_by_test_id("detail-filename")).to_have_text(item.filename)
        expect(page.get_by_test_id("alt-text")).to_have_value(item.alt_text)
        expect(page.get_by_test_id("fact-uploaded-by")).to_have_text(item.uploader)
        watch.assert_nothing_ran(f"detail panel of {item.filename!r}")
        page.keyboard.press("Escape")
        expect(page.get_by_test_id("detail-filename")).to_have_count(0)


def test_folders_tags_list_and_bulk_dialogs_run_no_payload(
    page: Page, watch: ScriptWatch, hostile: Hostile
) -> None:
    open_library(page, f"{hostile.project.library}?view=list")
    expect(page.get_by_test_id("media-row")).to_have_count(len(hostile.items))
    expect(page.get_by_test_id("folder-node")).to_have_count(len(hostile.folders) + 2)
    watch.assert_nothing_ran("folder tree and list view")
    page.get_by_test_id("select-page").click()
    page.get_by_test_id("bulk-move").click()
    page.get_by_test_id("bulk-destination-input").click()
    expect(page.get_by_role("option")).not_to_have_count(0)
    watch.assert_nothing_ran("the folders to move to")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.get_by_test_id("bulk-add-tags").click()
    page.get_by_test_id("bulk-tags-input").click()
    expect(page.get_by_role("option")).not_to_have_count(0)
    watch.assert_nothing_ran("the tags to add")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    for name, item in list(zip(hostile.folders, hostile.items, strict=True))[:6]:
        page.get_by_test_id("folder-node").filter(has_text=name.split("\n")[0]).first.click()
        expect(page.get_by_test_id("folder-path").locator("[aria-current=location]")).to_have_text(name)
        row = page.get_by_test_id("media-row")
        expect(row).to_have_count(1)
        expect(row).to_contain_text(item.filename)  # this folder's row, not the last folder's
        row.get_by_role("button").last.click()
        expect(page.get_by_test_id("detail-filename")).to_have_text(item.filename)
        watch.assert_nothing_ran(f"folder {name!r}, its path, its image's tags")
        page.keyboard.press("Escape")
    for payload in text_payloads("http://127.0.0.1:9/")[:8]:
        open_library(page, f"{hostile.project.library}?{urlencode({'q': payload[:200]})}")
        watch.assert_nothing_ran(f"a search for {payload!r} in the URL")


def test_pages_list_runs_no_payload(page: Page, watch: ScriptWatch, hostile: Hostile) -> None:
    page.goto(pages_list_path(hostile.project))
    expect(page.get_by_test_id("page-row")).to_have_count(len(hostile.pages))
    wait_until_connected(page)
    watch.assert_nothing_ran("pages list")


def test_page_editor_and_media_picker_run_no_payload(
    page: Page, watch: ScriptWatch, hostile: Hostile
) -> None:
    for seeded in hostile.pages:
        page.goto(f"{pages_list_path(hostile.project)}/{seeded.page_id}")
        # a one-line <input> drops line breaks from its value, as browsers do
        expect(page.get_by_test_id("field-title")).to_have_value(seeded.title.replace("\n", ""))
        expect(body(page)).to_contain_text(seeded.title.split("\n")[0])
        watch.assert_nothing_ran(f"page editor of {seeded.title!r}")
    wait_until_connected(page)
    page.get_by_test_id(re.compile(r"(select|change)-hero_image")).click(force=True)
    picker = page.get_by_test_id("media-picker")
    expect(picker.get_by_test_id("picker-tile")).to_have_count(len(hostile.items))
    watch.assert_nothing_ran("media picker")


def test_members_page_runs_no_payload(page: Page, watch: ScriptWatch, hostile: Hostile) -> None:
    page.goto(f"/admin/{hostile.project.slug}/members")
    rows = page.get_by_test_id("member-row")
    expect(rows).to_have_count(len(hostile.emails) + 2)  # and the admin and the editor
    for email in hostile.emails:
        expect(rows.filter(has_text=email)).to_have_count(1)
    wait_until_connected(page)
    watch.assert_nothing_ran("members")


def test_api_keys_page_runs_no_payload(page: Page, watch: ScriptWatch, hostile: Hostile) -> None:
    page.goto(f"/admin/{hostile.project.slug}/api-keys")
    rows = page.get_by_test_id("key-row")
    expect(rows).to_have_count(len(hostile.key_names))
    for name in hostile.key_names:
        expect(rows.filter(has_text=name).first).to_be_visible()
    wait_until_connected(page)
    page.get_by_test_id("key-owner").click()
    expect(page.locator(".q-menu .q-item").first).to_be_visible()
    watch.assert_nothing_ran("API keys")


def test_published_pages_run_no_payload(page: Page, watch: ScriptWatch, hostile: Hostile) -> None:
    for seeded in hostile.pages:
        page.goto(f"/p/{hostile.project.slug}/{seeded.slug}")
        expect(page.locator("h1")).to_have_text(seeded.title)
        watch.assert_nothing_ran(f"published page {seeded.slug}")


def test_projects_page_runs_no_payload(page: Page, watch: ScriptWatch, hostile: Hostile) -> None:
    page.goto("/")
    expect(page.get_by_text(PROJECT_NAME, exact=True)).to_be_visible()
    wait_until_connected(page)
    watch.assert_nothing_ran("projects")
