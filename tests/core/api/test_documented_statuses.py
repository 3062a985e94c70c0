"""Every status code the OpenAPI document lists for an operation is one it really answers: for each
documented (operation, status) pair, a request that produces it, and no pair without one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlmodel import Session

from nexus_core import accounts
from nexus_core.api import router as api_router
from nexus_core.api.deps import get_session
from nexus_core.api.openapi import describe
from nexus_core.config import MEGABYTE, get_settings
from tests import images
from tests.core.api.helpers import JSONAPI, Team, checked, upload
from tests.factories import page_using

LIST = "/api/v1/media_items"
ITEM = "/api/v1/media_items/{item_id}"
FOLDERS = "/api/v1/folders"
FOLDER = "/api/v1/folders/{folder_id}"
TAGS = "/api/v1/tags"
OPERATIONS = "/api/v1/operations"
WEBHOOKS = "/api/v1/webhooks"
WEBHOOK = "/api/v1/webhooks/{webhook_id}"
PING = "/api/v1/webhooks/{webhook_id}/ping"
DELIVERIES = "/api/v1/webhooks/{webhook_id}/deliveries"
FILE = "/api/v1/media_items/{item_id}/file"
ATOMIC = 'application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"'
MISSING_ID = "0190f0f0-0000-7000-8000-000000000000"


@dataclass
class Setting:
    client: TestClient
    team: Team
    session: Session
    env: pytest.MonkeyPatch
    item_id: str

    @property
    def url(self) -> str:
        return f"{LIST}/{self.item_id}"

    def send(self, method: str, url: str, who: str = "admin", **kwargs) -> httpx.Response:
        return self.client.request(
            method, url, headers=self.team.headers(who) | kwargs.pop("headers", {}), **kwargs
        )

    def patch(self, who: str = "admin", alt_text: object = "Harbour", **data) -> httpx.Response:
        document = {"data": {"type": "media_items", "attributes": {"alt_text": alt_text}} | data}
        return self.send("PATCH", self.url, who, json=document)

    def replace(
        self, who: str = "admin", data: bytes | None = None, name: str = "new.png", **kwargs
    ) -> httpx.Response:
        files = {"file": (name, images.png(14, 14) if data is None else data, "image/png")}
        return self.send("PUT", f"{self.url}/file", who, files=files, **kwargs)

    def new_folder(
        self, who: str = "admin", name: str = "Harbour", parent: str | None = None
    ) -> httpx.Response:
        data: dict = {"type": "folders", "attributes": {"name": name}}
        if parent:
            data["relationships"] = {"parent": {"data": {"type": "folders", "id": parent}}}
        return self.send("POST", FOLDERS, who, json={"data": data}, headers={"Content-Type": JSONAPI})

    def folder_url(self) -> str:
        return f"{FOLDERS}/{checked(self.new_folder(name='Setting'), 201)['data']['id']}"

    def change_folder(self, who: str = "admin", name: object = "Renamed", **data) -> httpx.Response:
        url = self.folder_url()
        document = {"data": {"type": "folders", "attributes": {"name": name}} | data}
        return self.send("PATCH", url, who, json=document, headers={"Content-Type": JSONAPI})

    def delete_a_folder_that_holds_one(self) -> httpx.Response:
        url = self.folder_url()
        checked(self.new_folder(name="Inner", parent=url.rsplit("/", 1)[-1]), 201)
        return self.send("DELETE", url)

    def operate(self, who: str = "admin", *, content_type: str = ATOMIC, **change) -> httpx.Response:
        """One update of the setting's item (its tags unless `change` says otherwise)."""
        data = {"type": "media_items", "id": self.item_id, "attributes": change or {"tags": ["harbour"]}}
        document = {"atomic:operations": [{"op": "update", "data": data}]}
        return self.send("POST", OPERATIONS, who, json=document, headers={"Content-Type": content_type})

    def remove_item_used_by_a_page(self) -> httpx.Response:
        assert self.delete_item_used_by_a_page().status_code == 409
        document = {
            "atomic:operations": [{"op": "remove", "ref": {"type": "media_items", "id": self.item_id}}]
        }
        return self.send("POST", OPERATIONS, json=document, headers={"Content-Type": ATOMIC})

    def without_database(self, request: Callable[[], httpx.Response]) -> httpx.Response:
        """`request` with every database connection failing (a file SQLite cannot open)."""
        broken = create_engine("sqlite:////nonexistent-directory/nexus.db")
        self.client.app.dependency_overrides[get_session] = lambda: Session(broken)  # type: ignore[attr-defined]
        try:
            return request()
        finally:
            self.client.app.dependency_overrides.clear()  # type: ignore[attr-defined]

    def with_upload_limit_of_one_megabyte(self) -> httpx.Response:
        self.env.setenv("NEXUS_MAX_UPLOAD_MB", "1")
        get_settings.cache_clear()
        return upload(
            self.client, self.team, data=images.png(10, 10) + b"\0" * (2 * MEGABYTE), name="big.png"
        )

    def upload_what_is_there(self) -> httpx.Response:
        data = images.png(12, 12)
        checked(upload(self.client, self.team, data=data, name="first.png"), 201)
        return upload(self.client, self.team, data=data, name="again.png")

    def new_webhook(
        self, who: str = "admin", url: object = "https://hooks.example.invalid/nexus", **more
    ) -> httpx.Response:
        document = {
            "data": {"type": "webhooks", "attributes": {"url": url, "events": ["media.created"]} | more}
        }
        return self.send("POST", WEBHOOKS, who, json=document, headers={"Content-Type": JSONAPI})

    def webhook_url(self, tail: str = "") -> str:
        return f"{WEBHOOKS}/{checked(self.new_webhook(), 201)['data']['id']}{tail}"

    def change_webhook(self, who: str = "admin", **attributes) -> httpx.Response:
        document = {"data": {"type": "webhooks", "attributes": attributes or {"enabled": False}}}
        return self.send("PATCH", self.webhook_url(), who, json=document, headers={"Content-Type": JSONAPI})

    def twenty_first_webhook(self) -> httpx.Response:
        for number in range(20):
            checked(self.new_webhook(url=f"https://hooks.example.invalid/{number}"), 201)
        return self.new_webhook()

    def delete_item_used_by_a_page(self) -> httpx.Response:
        admin = accounts.actor_for_api_token(self.session, self.team.tokens["admin"] or "")
        page_using(self.session, admin, self.item_id)
        return self.send("DELETE", self.url)


PRODUCE: dict[tuple[str, str, int], Callable[[Setting], httpx.Response]] = {
    ("get", LIST, 200): lambda s: s.send("GET", LIST, "viewer"),
    ("get", LIST, 400): lambda s: s.send("GET", LIST, params={"filter[type]": "bmp"}),
    ("get", LIST, 401): lambda s: s.send("GET", LIST, "no key"),
    ("get", LIST, 404): lambda s: s.send("GET", LIST, params={"filter[folder]": MISSING_ID}),
    ("get", LIST, 503): lambda s: s.without_database(lambda: s.send("GET", LIST)),
    ("post", LIST, 200): Setting.upload_what_is_there,
    ("post", LIST, 201): lambda s: upload(s.client, s.team, data=images.png(10, 10), name="a.png"),
    ("post", LIST, 400): lambda s: s.send(
        "POST", f"{LIST}?sort=1", files={"file": ("a.png", images.png(9, 9))}
    ),
    ("post", LIST, 401): lambda s: upload(s.client, s.team, "revoked key"),
    ("post", LIST, 403): lambda s: upload(s.client, s.team, "viewer"),
    ("post", LIST, 404): lambda s: upload(s.client, s.team, folder=MISSING_ID),
    ("post", LIST, 413): Setting.with_upload_limit_of_one_megabyte,
    ("post", LIST, 415): lambda s: upload(s.client, s.team, data=b"just text", name="notes.txt"),
    ("post", LIST, 422): lambda s: s.send("POST", LIST, data={"alt_text": "no file"}),
    ("post", LIST, 503): lambda s: s.without_database(lambda: upload(s.client, s.team)),
    ("get", ITEM, 200): lambda s: s.send("GET", s.url, "viewer"),
    ("get", ITEM, 400): lambda s: s.send("GET", s.url, params={"include": "pages"}),
    ("get", ITEM, 401): lambda s: s.send("GET", s.url, "garbage key"),
    ("get", ITEM, 404): lambda s: s.send("GET", f"{LIST}/{MISSING_ID}"),
    ("get", ITEM, 503): lambda s: s.without_database(lambda: s.send("GET", s.url)),
    ("patch", ITEM, 200): lambda s: s.patch("editor"),
    ("patch", ITEM, 400): lambda s: s.send(
        "PATCH", s.url, content=b"{not json", headers={"Content-Type": JSONAPI}
    ),
    ("patch", ITEM, 401): lambda s: s.patch("no key"),
    ("patch", ITEM, 403): lambda s: s.patch("viewer"),
    ("patch", ITEM, 404): lambda s: s.patch("non-member"),
    ("patch", ITEM, 409): lambda s: s.patch(id=MISSING_ID),
    ("patch", ITEM, 413): lambda s: s.patch(alt_text="x" * (2 * MEGABYTE)),
    ("patch", ITEM, 422): lambda s: s.patch(alt_text=42),
    ("patch", ITEM, 503): lambda s: s.without_database(lambda: s.patch()),
    ("put", FILE, 200): lambda s: s.replace("editor"),
    ("put", FILE, 400): lambda s: s.replace(params={"duplicates": "allow"}),
    ("put", FILE, 401): lambda s: s.replace("no key"),
    ("put", FILE, 403): lambda s: s.replace("viewer"),
    ("put", FILE, 404): lambda s: s.replace("non-member"),
    ("put", FILE, 413): lambda s: (
        s.env.setenv("NEXUS_MAX_UPLOAD_MB", "1"),
        get_settings.cache_clear(),
        s.replace(data=images.png(10, 10) + b"\0" * (2 * MEGABYTE)),
    )[2],
    ("put", FILE, 415): lambda s: s.replace(data=b"just text", name="notes.txt"),
    ("put", FILE, 422): lambda s: s.send("PUT", f"{s.url}/file", data={"alt_text": "no file"}),
    ("put", FILE, 503): lambda s: s.without_database(lambda: s.replace()),
    ("delete", ITEM, 204): lambda s: s.send("DELETE", s.url),
    ("delete", ITEM, 400): lambda s: s.send("DELETE", s.url, params={"force": "perhaps"}),
    ("delete", ITEM, 401): lambda s: s.send("DELETE", s.url, "no key"),
    ("delete", ITEM, 403): lambda s: s.send("DELETE", s.url, "editor"),
    ("delete", ITEM, 404): lambda s: s.send("DELETE", f"{LIST}/{MISSING_ID}"),
    ("delete", ITEM, 409): Setting.delete_item_used_by_a_page,
    ("delete", ITEM, 503): lambda s: s.without_database(lambda: s.send("DELETE", s.url)),
    ("get", FOLDERS, 200): lambda s: s.send("GET", FOLDERS, "viewer"),
    ("get", FOLDERS, 400): lambda s: s.send("GET", FOLDERS, params={"filter[parent]": "nope"}),
    ("get", FOLDERS, 401): lambda s: s.send("GET", FOLDERS, "no key"),
    ("get", FOLDERS, 404): lambda s: s.send("GET", FOLDERS, params={"filter[parent]": MISSING_ID}),
    ("get", FOLDERS, 503): lambda s: s.without_database(lambda: s.send("GET", FOLDERS)),
    ("post", FOLDERS, 201): lambda s: s.new_folder("editor"),
    ("post", FOLDERS, 400): lambda s: s.send("POST", f"{FOLDERS}?sort=1", json={}),
    ("post", FOLDERS, 401): lambda s: s.new_folder("revoked key"),
    ("post", FOLDERS, 403): lambda s: s.new_folder("viewer"),
    ("post", FOLDERS, 404): lambda s: s.new_folder(parent=MISSING_ID),
    ("post", FOLDERS, 409): lambda s: (s.new_folder(name="Twice"), s.new_folder(name="twice"))[1],
    ("post", FOLDERS, 413): lambda s: s.new_folder(name="x" * (2 * MEGABYTE)),
    ("post", FOLDERS, 422): lambda s: s.new_folder(name="   "),
    ("post", FOLDERS, 503): lambda s: s.without_database(lambda: s.new_folder()),
    ("patch", FOLDER, 200): lambda s: s.change_folder("editor"),
    ("patch", FOLDER, 400): lambda s: s.send(
        "PATCH", s.folder_url(), content=b"{not json", headers={"Content-Type": JSONAPI}
    ),
    ("patch", FOLDER, 401): lambda s: s.change_folder("no key"),
    ("patch", FOLDER, 403): lambda s: s.change_folder("viewer"),
    ("patch", FOLDER, 404): lambda s: s.change_folder("non-member"),
    ("patch", FOLDER, 409): lambda s: s.change_folder(id=MISSING_ID),
    ("patch", FOLDER, 413): lambda s: s.change_folder(name="x" * (2 * MEGABYTE)),
    ("patch", FOLDER, 422): lambda s: s.change_folder(name=""),
    ("patch", FOLDER, 503): lambda s: (
        url := s.folder_url(),
        s.without_database(lambda: s.send("PATCH", url, json={})),
    )[1],
    ("delete", FOLDER, 204): lambda s: s.send("DELETE", s.folder_url()),
    ("delete", FOLDER, 400): lambda s: s.send("DELETE", s.folder_url(), params={"force": "true"}),
    ("delete", FOLDER, 401): lambda s: s.send("DELETE", s.folder_url(), "no key"),
    ("delete", FOLDER, 403): lambda s: s.send("DELETE", s.folder_url(), "viewer"),
    ("delete", FOLDER, 404): lambda s: s.send("DELETE", f"{FOLDERS}/{MISSING_ID}"),
    ("delete", FOLDER, 409): Setting.delete_a_folder_that_holds_one,
    ("delete", FOLDER, 503): lambda s: (
        url := s.folder_url(),
        s.without_database(lambda: s.send("DELETE", url)),
    )[1],
    ("post", OPERATIONS, 200): lambda s: s.operate("editor"),
    ("post", OPERATIONS, 400): lambda s: s.send(
        "POST", OPERATIONS, content=b"{not json", headers={"Content-Type": ATOMIC}
    ),
    ("post", OPERATIONS, 401): lambda s: s.operate("no key"),
    ("post", OPERATIONS, 403): lambda s: s.operate("viewer"),
    ("post", OPERATIONS, 404): lambda s: s.operate("non-member"),
    ("post", OPERATIONS, 409): Setting.remove_item_used_by_a_page,
    ("post", OPERATIONS, 413): lambda s: s.operate(alt_text="x" * (2 * MEGABYTE)),
    ("post", OPERATIONS, 415): lambda s: s.operate(content_type=JSONAPI),
    ("post", OPERATIONS, 422): lambda s: s.operate(tags="harbour"),
    ("post", OPERATIONS, 503): lambda s: s.without_database(lambda: s.operate()),
    ("get", TAGS, 200): lambda s: s.send("GET", TAGS, "viewer"),
    ("get", TAGS, 400): lambda s: s.send("GET", TAGS, params={"sort": "name"}),
    ("get", TAGS, 401): lambda s: s.send("GET", TAGS, "garbage key"),
    ("get", TAGS, 503): lambda s: s.without_database(lambda: s.send("GET", TAGS)),
    ("get", WEBHOOKS, 200): lambda s: s.send("GET", WEBHOOKS),
    ("get", WEBHOOKS, 400): lambda s: s.send("GET", WEBHOOKS, params={"page[limit]": "5"}),
    ("get", WEBHOOKS, 401): lambda s: s.send("GET", WEBHOOKS, "revoked key"),
    ("get", WEBHOOKS, 403): lambda s: s.send("GET", WEBHOOKS, "editor"),
    ("get", WEBHOOKS, 503): lambda s: s.without_database(lambda: s.send("GET", WEBHOOKS)),
    ("post", WEBHOOKS, 201): lambda s: s.new_webhook(),
    ("post", WEBHOOKS, 400): lambda s: s.send(
        "POST", WEBHOOKS, content=b"{not json", headers={"Content-Type": JSONAPI}
    ),
    ("post", WEBHOOKS, 401): lambda s: s.new_webhook("no key"),
    ("post", WEBHOOKS, 403): lambda s: s.new_webhook("viewer"),
    ("post", WEBHOOKS, 409): Setting.twenty_first_webhook,
    ("post", WEBHOOKS, 413): lambda s: s.new_webhook(
        url="https://hooks.example.invalid/" + "x" * (2 * MEGABYTE)
    ),
    ("post", WEBHOOKS, 422): lambda s: s.new_webhook(url="http://127.0.0.1/hooks"),
    ("post", WEBHOOKS, 503): lambda s: s.without_database(lambda: s.new_webhook()),
    ("get", WEBHOOK, 200): lambda s: s.send("GET", s.webhook_url()),
    ("get", WEBHOOK, 400): lambda s: s.send("GET", s.webhook_url(), params={"include": "deliveries"}),
    ("get", WEBHOOK, 401): lambda s: s.send("GET", s.webhook_url(), "garbage key"),
    ("get", WEBHOOK, 403): lambda s: s.send("GET", s.webhook_url(), "viewer"),
    ("get", WEBHOOK, 404): lambda s: s.send("GET", f"{WEBHOOKS}/{MISSING_ID}"),
    ("get", WEBHOOK, 503): lambda s: (
        url := s.webhook_url(),
        s.without_database(lambda: s.send("GET", url)),
    )[1],
    ("patch", WEBHOOK, 200): lambda s: s.change_webhook(),
    ("patch", WEBHOOK, 400): lambda s: s.send(
        "PATCH", s.webhook_url(), content=b"{not json", headers={"Content-Type": JSONAPI}
    ),
    ("patch", WEBHOOK, 401): lambda s: s.change_webhook("no key"),
    ("patch", WEBHOOK, 403): lambda s: s.change_webhook("editor"),
    ("patch", WEBHOOK, 404): lambda s: s.change_webhook("non-member"),
    ("patch", WEBHOOK, 409): lambda s: s.send(
        "PATCH", s.webhook_url(), json={"data": {"type": "webhooks", "id": MISSING_ID}}
    ),
    ("patch", WEBHOOK, 413): lambda s: s.change_webhook(
        url="https://hooks.example.invalid/" + "x" * (2 * MEGABYTE)
    ),
    ("patch", WEBHOOK, 422): lambda s: s.change_webhook(events=["media.moved"]),
    ("patch", WEBHOOK, 503): lambda s: (
        url := s.webhook_url(),
        s.without_database(lambda: s.send("PATCH", url, json={"data": {"type": "webhooks"}})),
    )[1],
    ("delete", WEBHOOK, 204): lambda s: s.send("DELETE", s.webhook_url()),
    ("delete", WEBHOOK, 400): lambda s: s.send("DELETE", s.webhook_url(), params={"force": "true"}),
    ("delete", WEBHOOK, 401): lambda s: s.send("DELETE", s.webhook_url(), "no key"),
    ("delete", WEBHOOK, 403): lambda s: s.send("DELETE", s.webhook_url(), "editor"),
    ("delete", WEBHOOK, 404): lambda s: s.send("DELETE", f"{WEBHOOKS}/{MISSING_ID}"),
    ("delete", WEBHOOK, 503): lambda s: (
        url := s.webhook_url(),
        s.without_database(lambda: s.send("DELETE", url)),
    )[1],
    ("post", PING, 202): lambda s: s.send("POST", s.webhook_url("/ping")),
    ("post", PING, 400): lambda s: s.send("POST", s.webhook_url("/ping"), params={"event": "media.created"}),
    ("post", PING, 401): lambda s: s.send("POST", s.webhook_url("/ping"), "no key"),
    ("post", PING, 403): lambda s: s.send("POST", s.webhook_url("/ping"), "viewer"),
    ("post", PING, 404): lambda s: s.send("POST", f"{WEBHOOKS}/{MISSING_ID}/ping"),
    ("post", PING, 503): lambda s: (
        url := s.webhook_url("/ping"),
        s.without_database(lambda: s.send("POST", url)),
    )[1],
    ("get", DELIVERIES, 200): lambda s: s.send("GET", s.webhook_url("/deliveries")),
    ("get", DELIVERIES, 400): lambda s: s.send(
        "GET", s.webhook_url("/deliveries"), params={"page[limit]": "5"}
    ),
    ("get", DELIVERIES, 401): lambda s: s.send("GET", s.webhook_url("/deliveries"), "garbage key"),
    ("get", DELIVERIES, 403): lambda s: s.send("GET", s.webhook_url("/deliveries"), "editor"),
    ("get", DELIVERIES, 404): lambda s: s.send("GET", f"{WEBHOOKS}/{MISSING_ID}/deliveries"),
    ("get", DELIVERIES, 503): lambda s: (
        url := s.webhook_url("/deliveries"),
        s.without_database(lambda: s.send("GET", url)),
    )[1],
}


def test_every_documented_status_has_a_request_here_and_no_other() -> None:
    documented = {
        (method, path, int(status))
        for path, operations in describe(api_router.routes)["paths"].items()
        for method, operation in operations.items()
        for status in operation["responses"]
    }
    assert documented == set(PRODUCE)


@pytest.fixture
def setting(
    client: TestClient, team: Team, session: Session, settings_env: pytest.MonkeyPatch
) -> Iterator[Setting]:
    item_id = checked(upload(client, team, data=images.png(20, 20), name="harbour.png"), 201)["data"]["id"]
    yield Setting(client, team, session, settings_env, item_id)


@pytest.mark.parametrize(("method", "path", "status"), list(PRODUCE))
def test_documented_status_is_answered(setting: Setting, method: str, path: str, status: int) -> None:
    checked(PRODUCE[(method, path, status)](setting), status)
