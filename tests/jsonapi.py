"""Validate response bodies against the JSON:API project's own schema (../shared/standards)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

# A copy of ../shared/standards/jsonapi-1.0-response.schema.json, so a clone tests without ../shared.
SCHEMA = Path(__file__).resolve().parent / "standards" / "jsonapi-1.0-response.schema.json"


def _match_everything(node: Any) -> Any:
    """jsonschema reads the pattern "" in patternProperties as matching nothing; the spec means anything."""
    if isinstance(node, dict):
        return {
            key: (
                {
                    (".*" if pattern == "" else pattern): _match_everything(sub)
                    for pattern, sub in value.items()
                }
                if key == "patternProperties"
                else _match_everything(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_match_everything(value) for value in node]
    return node


@cache
def validator() -> Draft202012Validator:
    return Draft202012Validator(_match_everything(json.loads(SCHEMA.read_text())))


ATOMIC_RESULTS = "atomic:results"


def assert_valid_document(body: Any) -> None:
    """Valid JSON:API 1.0. The atomic extension's answer (1.1) adds the top-level member
    `atomic:results`, which the 1.0 schema cannot know: each result must then be a valid document
    itself (or empty, for a remove), and the rest of the answer too."""
    if isinstance(body, dict) and ATOMIC_RESULTS in body:
        rest = {key: value for key, value in body.items() if key != ATOMIC_RESULTS}
        assert isinstance(body[ATOMIC_RESULTS], list)
        for result in body[ATOMIC_RESULTS]:
            if result:
                assert_valid_document(result)
        body = rest
    errors = sorted(validator().iter_errors(body), key=lambda error: list(error.path))
    assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors)
