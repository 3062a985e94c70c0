"""The crop box, turns, flips and focal point of the edit view, as a NiceGUI element.

Its JavaScript (image_editor.js) uses Cropper.js 1, bundled from assets/cropper into
nexus_ui/static/cropper. The browser keeps the edits while the person works and hands them over, in
the core's terms (crop in pixels of the upright original, then rotate, then flip), when asked.
"""

from __future__ import annotations

from typing import Any

from nicegui import ui

from nexus_core.media.edits import Edits
from nexus_core.media.renditions import ASPECTS

SHAPES: tuple[tuple[str, float | None], ...] = (
    ("Free", None),
    ("1:1", 1.0),
    ("4:3", 4 / 3),
    ("16:9", 16 / 9),
    *((f"{aspect.width}:{aspect.height}", aspect.ratio) for aspect in ASPECTS),
)
"""The crop shapes offered: free, the common ones, and every aspect a template field declares."""


class ImageEditor(ui.element, component="image_editor.js", esm={"nexus-cropper": "../static/cropper"}):
    def __init__(self, *, src: str, width: int, height: int, edits: Edits) -> None:
        """`src` shows the upright original of `width` × `height` pixels, which `edits` are measured in."""
        super().__init__()
        shapes = {label: ratio for label, ratio in SHAPES}  # a field's aspect may be a common one too
        self._props.update(
            src=src,
            width=width,
            height=height,
            aspects=[{"label": label, "ratio": ratio} for label, ratio in shapes.items()],
            edits={
                "crop": edits.crop.as_json() if edits.crop else None,
                "focal_point": edits.focal_point.as_json() if edits.focal_point else None,
                "rotate": edits.rotate,
                "flip": edits.flip.as_json(),
            },
        )

    async def has_changes(self) -> bool:
        """Whether the person changed anything since the view opened (True if the browser did not answer,
        so that leaving asks rather than loses work)."""
        try:
            return bool(await self.run_method("hasChanges", timeout=5))
        except TimeoutError:
            return True

    async def current_edits(self) -> dict[str, Any] | None:
        """The edits as the browser has them now (None if it did not answer)."""
        try:
            answer = await self.run_method("currentEdits", timeout=5)
        except TimeoutError:
            return None
        return answer if isinstance(answer, dict) else None
