"""schemathesis against a live `nexus serve`: generated requests for every operation of the OpenAPI
document, as an integrator's fuzzer would send them, with a real admin key and a few real items.

No answer may be a server error, and every answer must be one the document describes: a documented
status code, its content type, a body of its schema; a method the document does not list is a 405
with `Allow`. The number of examples is bounded so that the test stays well under two minutes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlmodel import Session

from nexus_core import accounts
from nexus_core.api import router as api_router
from nexus_core.api.openapi import describe
from tests import images
from tests.factories import admin_of, make_project
from tests.processes import child_environment, free_port, running, wait_until_serving

EXAMPLES_PER_OPERATION = 30
_turns = itertools.count()


@dataclass
class LiveServer:
    base_url: str
    log: Path


@dataclass
class Seeded:
    item_ids: list[str]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`nexus serve` with its embedded worker, on the tests' database and media directory."""
    directory = tmp_path_factory.mktemp("schemathesis")
    environment = child_environment(NEXUS_QUEUE_URL=f"sqlite:///{directory / 'queue.db'}")
    port, log = free_port(), directory / "serve.log"
    with running(["serve", "--port", str(port)], environment, log) as server:
        base_url = f"http://127.0.0.1:{port}"
        wait_until_serving(base_url, server, log)
        yield LiveServer(base_url, log)


@pytest.fixture
def seeded(live_server: LiveServer, session: Session) -> Seeded:
    """An admin's key and three items uploaded through the server (rows are cleared after each test)."""
    actor = admin_of(session, make_project(session))
    token = accounts.issue_api_key(session, project_id=actor.project_id, user_id=actor.user_id).token
    headers = {"Authorization": f"Bearer {token}"}
    ApiKey.token = token
    item_ids = []
    for number, data in enumerate([images.png(40, 30), images.jpeg(64, 48), images.png(8, 8)]):
        created = httpx.post(
            f"{live_server.base_url}/api/v1/media_items",
            headers=headers,
            files={"file": (f"seed{number}.png", data, "application/octet-stream")},
            data={"alt_text": f"seed {number}"},
            timeout=30,
        )
        assert created.status_code == 201, created.text
        item_ids.append(created.json()["data"]["id"])
    return Seeded(item_ids)


# The document as the code describes it, so that pytest can list one test per operation before any
# server runs (schemathesis's lazy `from_fixture` does not work on pytest 9); the live server must
# serve the same document (checked below), and every generated request goes to it.
DOCUMENT = describe(api_router.routes)
schema = schemathesis.openapi.from_dict(DOCUMENT)


@schema.auth()
class ApiKey:
    """The seeded admin's key on every generated case, except those that leave the key out on purpose
    (schemathesis then expects a 401)."""

    token = ""

    def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str:
        return ApiKey.token

    def set(self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


def test_the_server_serves_this_document(live_server: LiveServer) -> None:
    served = httpx.get(f"{live_server.base_url}/api/v1/openapi.json")
    assert served.status_code == 200
    assert served.json() == DOCUMENT


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_answers_as_its_openapi_document_says(
    case: schemathesis.Case, seeded: Seeded, live_server: LiveServer
) -> None:
    parameters = case.path_parameters or {}
    if (
        "item_id" in parameters
        and case.meta is not None
        and case.meta.generation.mode == GenerationMode.POSITIVE
    ):
        # Most generated ids name nothing (a 404): valid cases also reach real items, in turn.
        parameters["item_id"] = seeded.item_ids[next(_turns) % len(seeded.item_ids)]
    if _an_empty_list_in_a_form(case):
        return
    # A schema-valid upload or replacement may hold any bytes (a zip, two letters, none): the schema cannot
    # say "an image the library decodes", so the documented 415 and 422 are right there and
    # positive-data acceptance is not.
    excluded = [positive_data_acceptance] if case.operation.method.upper() in ("POST", "PUT") else []
    case.call_and_validate(base_url=live_server.base_url, excluded_checks=excluded, timeout=30)


def _an_empty_list_in_a_form(case: schemathesis.Case) -> bool:
    """A negative case that is no request of its own: an empty list in a multipart form (`tags: []` for a
    text field) is sent as no part at all, the very request without that field, which is valid."""
    body = case.body if isinstance(case.body, dict) else {}
    return case.media_type == "multipart/form-data" and any(
        value == [] for name, value in body.items() if name != "file"
    )
