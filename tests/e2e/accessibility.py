"""axe-core (npm, installed with the editor's packages) run inside the page, as an auditor would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "assets/tiptap/node_modules/axe-core/axe.min.js"
BLOCKING = ("critical", "serious")


def violations(page: Page, *, impacts: tuple[str, ...] = BLOCKING) -> list[str]:
    """One line per rule broken with one of `impacts`, naming the first offending elements."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    # Colours are read as painted: a notification fading in has half its contrast, so wait for every
    # transition that ends (spinners never do) to end, as a reader would see the screen.
    page.evaluate(
        """() => Promise.all(document.getAnimations()
            .filter((animation) => Number.isFinite(animation.effect?.getComputedTiming().endTime))
            .map((animation) => animation.finished.catch(() => null)))"""
    )
    found: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(
            (v) => ({id: v.id, impact: v.impact, help: v.help,
                     nodes: v.nodes.slice(0, 4).map((node) => node.target.join(' ') + ' ' + node.failureSummary)}))"""
    )
    return [
        f"{rule['id']} ({rule['impact']}): {rule['help']}\n    " + "\n    ".join(rule["nodes"])
        for rule in found
        if rule["impact"] in impacts
    ]


def assert_accessible(page: Page, screen: str) -> None:
    problems = violations(page) + [
        line for line in violations(page, impacts=("moderate",)) if line.startswith("page-has-heading-one")
    ]
    assert not problems, f"{screen}:\n" + "\n".join(problems)
