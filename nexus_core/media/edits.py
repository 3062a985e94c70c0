"""Edits as data: the focal point, crop, rotation and flips of an item, checked, and the geometry they
make (the edited picture's size, where a point or an aspect crop falls). Plain values, no image work.

The picture is made from the upright original (its EXIF orientation applied) in this order: crop, then
rotate clockwise, then flip. The crop is in pixels of the upright original, the focal point in fractions
of it, so neither moves when the other edits change.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from nexus_core.errors import InvalidAttribute
from nexus_core.media.renditions import Aspect

ROTATIONS = (0, 90, 180, 270)


class _Stored:
    """An edit as the item's JSON column and the API hold it: its fields by name."""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]


@dataclass(frozen=True)
class FocalPoint(_Stored):
    """What must stay in view when the picture is cut to another shape: fractions of the upright original."""

    x: float
    y: float


@dataclass(frozen=True)
class Crop(_Stored):
    left: int
    top: int
    width: int
    height: int


@dataclass(frozen=True)
class Flip(_Stored):
    horizontal: bool = False
    vertical: bool = False


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels, fractions allowed (what pixel work rounds at its own scale)."""

    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True)
class Edits:
    focal_point: FocalPoint | None = None
    crop: Crop | None = None
    rotate: int = 0
    flip: Flip = field(default_factory=Flip)

    @property
    def is_original(self) -> bool:
        """Nothing edited: the picture is the upright original, which can stand in for its renditions."""
        return self == ORIGINAL

    @property
    def reshapes(self) -> bool:
        """Whether the picture differs from the upright original (the focal point alone changes none)."""
        return replace(self, focal_point=None) != ORIGINAL

    def crop_box(self, width: int, height: int) -> Crop:
        """The crop, or the whole upright original of `width` × `height`."""
        return self.crop or Crop(0, 0, width, height)

    def picture_size(self, width: int, height: int) -> tuple[int, int]:
        """The edited picture's size, from the upright original's."""
        box = self.crop_box(width, height)
        return (box.height, box.width) if self.rotate in (90, 270) else (box.width, box.height)

    def focus(self, width: int, height: int) -> tuple[float, float]:
        """The focal point (the centre when unset) in pixels of the edited picture, pulled inside it when
        the crop leaves it out."""
        box = self.crop_box(width, height)
        point = self.focal_point or FocalPoint(0.5, 0.5)
        x = min(max(point.x * width - box.left, 0.0), float(box.width))
        y = min(max(point.y * height - box.top, 0.0), float(box.height))
        turned_width, turned_height = self.picture_size(width, height)
        x, y = {
            0: (x, y),
            90: (box.height - y, x),
            180: (box.width - x, box.height - y),
            270: (y, box.width - x),
        }[self.rotate]
        if self.flip.horizontal:
            x = turned_width - x
        if self.flip.vertical:
            y = turned_height - y
        return x, y

    def aspect_box(self, width: int, height: int, aspect: Aspect) -> Box:
        """The largest `aspect` box inside the edited picture, centred on the focal point as far as the
        picture's edges allow (so it always contains it), in pixels of the edited picture."""
        picture_width, picture_height = self.picture_size(width, height)
        box_width = min(float(picture_width), picture_height * aspect.ratio)
        box_height = box_width / aspect.ratio
        x, y = self.focus(width, height)
        left = min(max(x - box_width / 2, 0.0), picture_width - box_width)
        top = min(max(y - box_height / 2, 0.0), picture_height - box_height)
        return Box(left, top, box_width, box_height)

    def source_box(self, width: int, height: int, box: Box) -> Box:
        """Where a box of the edited picture lies in the upright original (flips and rotation undone)."""
        crop = self.crop_box(width, height)
        picture_width, picture_height = self.picture_size(width, height)
        left, top = box.left, box.top
        if self.flip.horizontal:
            left = picture_width - left - box.width
        if self.flip.vertical:
            top = picture_height - top - box.height
        if self.rotate == 90:
            left, top, w, h = top, crop.height - left - box.width, box.height, box.width
        elif self.rotate == 180:
            left, top, w, h = (
                crop.width - left - box.width,
                crop.height - top - box.height,
                box.width,
                box.height,
            )
        elif self.rotate == 270:
            left, top, w, h = crop.width - top - box.height, left, box.height, box.width
        else:
            w, h = box.width, box.height
        return Box(crop.left + left, crop.top + top, w, h)

    def as_columns(self) -> dict[str, Any]:
        """The item's columns of these edits."""
        return {
            "focal_point": self.focal_point.as_json() if self.focal_point else None,
            "crop": self.crop.as_json() if self.crop else None,
            "rotate": self.rotate,
            "flip_horizontal": self.flip.horizontal,
            "flip_vertical": self.flip.vertical,
        }


ORIGINAL = Edits()


def edits_of(row: Any) -> Edits:
    """The edits an item (its row or read model) records."""
    return Edits(
        focal_point=FocalPoint(**row.focal_point) if row.focal_point else None,
        crop=Crop(**row.crop) if row.crop else None,
        rotate=row.rotate or 0,
        flip=Flip(bool(row.flip_horizontal), bool(row.flip_vertical)),
    )


class Keep:
    """What an edit change leaves as it is."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = Keep()


@dataclass(frozen=True)
class EditChanges:
    """The edit attributes a request names, as sent (JSON values); KEEP for those it leaves out. Read
    and checked by `apply`, which knows the picture's size."""

    focal_point: Any = KEEP
    crop: Any = KEEP
    rotate: Any = KEEP
    flip: Any = KEEP

    def named(self) -> list[str]:
        """The attributes this change sets."""
        return [name for name in ("focal_point", "crop", "rotate", "flip") if getattr(self, name) is not KEEP]

    @classmethod
    def revert(cls) -> EditChanges:
        """Every edit cleared: the picture made from the untouched original again."""
        return cls(focal_point=None, crop=None, rotate=0, flip=None)

    def apply(self, current: Edits, *, width: int | None, height: int | None) -> Edits:
        """`current` with these changes, each checked (InvalidAttribute names the one at fault);
        `width` × `height` is the upright original's size (None while unknown)."""
        changed = current
        if self.focal_point is not KEEP:
            changed = replace(changed, focal_point=_focal_point(self.focal_point))
        if self.crop is not KEEP:
            changed = replace(changed, crop=_crop(self.crop, width, height))
        if self.rotate is not KEEP:
            changed = replace(changed, rotate=_rotation(self.rotate))
        if self.flip is not KEEP:
            changed = replace(changed, flip=_flip(self.flip))
        return changed


def _members(value: Any, name: str, names: tuple[str, ...], *, required: bool) -> Mapping[str, Any]:
    shape = ", ".join(f"“{member}”" for member in names)
    if not isinstance(value, Mapping):
        raise InvalidAttribute(name, f"“{name}” must be null or an object with {shape}.")
    unknown = sorted(set(value) - set(names))
    if unknown:
        raise InvalidAttribute(
            f"{name}/{unknown[0]}", f"“{name}” takes only {shape}; “{unknown[0]}” is not one."
        )
    missing = [member for member in names if member not in value]
    if required and missing:
        raise InvalidAttribute(name, f"“{name}” needs {shape}; “{missing[0]}” is missing.")
    return value


def _focal_point(value: Any) -> FocalPoint | None:
    if value is None:
        return None
    members = _members(value, "focal_point", ("x", "y"), required=True)
    for axis in ("x", "y"):
        number = members[axis]
        if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
            raise InvalidAttribute(
                f"focal_point/{axis}", f"“focal_point.{axis}” must be a number from 0 to 1."
            )
        if not 0 <= number <= 1:
            raise InvalidAttribute(
                f"focal_point/{axis}",
                f"“focal_point.{axis}” is {number}; it must lie from 0 (left or top edge) to 1 (right or bottom).",
            )
    return FocalPoint(float(members["x"]), float(members["y"]))


def _crop(value: Any, width: int | None, height: int | None) -> Crop | None:
    if value is None:
        return None
    members = _members(value, "crop", ("left", "top", "width", "height"), required=True)
    for name, least in (("left", 0), ("top", 0), ("width", 1), ("height", 1)):
        number = members[name]
        if isinstance(number, bool) or not isinstance(number, int):
            raise InvalidAttribute(f"crop/{name}", f"“crop.{name}” must be a whole number of pixels.")
        if number < least:
            raise InvalidAttribute(f"crop/{name}", f"“crop.{name}” is {number}; it must be at least {least}.")
    crop = Crop(members["left"], members["top"], members["width"], members["height"])
    if width is None or height is None:
        raise InvalidAttribute(
            "crop",
            "The picture's size is not known yet, so it cannot be cropped; try again once it is processed.",
        )
    size = f"the upright original is {width} × {height} pixels"
    if crop.left + crop.width > width:
        raise InvalidAttribute(
            "crop/width",
            f"The crop must lie inside the picture, but {size}: left {crop.left} + width {crop.width} = "
            f"{crop.left + crop.width} is past its right edge.",
        )
    if crop.top + crop.height > height:
        raise InvalidAttribute(
            "crop/height",
            f"The crop must lie inside the picture, but {size}: top {crop.top} + height {crop.height} = "
            f"{crop.top + crop.height} is past its bottom edge.",
        )
    return crop


def _rotation(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in ROTATIONS:
        raise InvalidAttribute(
            "rotate", f"“rotate” is {value!r}; it must be 0, 90, 180 or 270 (degrees clockwise)."
        )
    return value


def _flip(value: Any) -> Flip:
    if value is None:
        return Flip()
    members = _members(value, "flip", ("horizontal", "vertical"), required=False)
    for name in ("horizontal", "vertical"):
        if name in members and not isinstance(members[name], bool):
            raise InvalidAttribute(f"flip/{name}", f"“flip.{name}” must be true or false.")
    return Flip(bool(members.get("horizontal", False)), bool(members.get("vertical", False)))
