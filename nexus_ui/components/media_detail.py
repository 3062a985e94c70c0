"""The detail panel of one media item: preview, Edit and Replace file, facts, alt text that saves itself,
URLs, delete."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from nicegui import ui

from nexus_core.errors import MediaInUse
from nexus_core.media import deletion, editing, library, paths, renditions, tags
from nexus_core.models import Role
from nexus_core.policies import Action, can
from nexus_core.read_models import MediaItemView
from nexus_ui.calls import FAILED, call
from nexus_ui.components.clipboard import copy_media_url
from nexus_ui.components.confirm import confirm
from nexus_ui.components.edit_view import edit_item
from nexus_ui.components.focus import focus_selector
from nexus_ui.components.media_grid import OPEN_ATTRIBUTE, preview_url
from nexus_ui.components.replace_file import replace_file
from nexus_ui.components.tag_input import tag_input
from nexus_ui.format import dimensions, human_date, human_size
from nexus_ui.session import ProjectContext


def _copier(url: str) -> Callable[[], Any]:
    return lambda: copy_media_url(url)


Neighbours = Callable[[UUID], tuple[UUID | None, UUID | None]]
"""The items before and after one, as the grid shows them."""
# ← and → step through the images, unless the person is typing.
_ARROWS_JS = """(e) => {
  if ((e.key === 'ArrowLeft' || e.key === 'ArrowRight') && !e.altKey && !e.ctrlKey && !e.metaKey
      && !e.target.closest('input, textarea, [contenteditable=true], [role=combobox]')) emit(e.key);
}"""


class MediaDetailPanel:
    """A side sheet; `on_changed` is told when the item was edited or deleted so the grid can redraw."""

    def __init__(
        self,
        context: ProjectContext,
        on_changed: Callable[[], Awaitable[None]],
        neighbours: Neighbours | None = None,
    ) -> None:
        self._context = context
        self._on_changed = on_changed
        self._neighbours = neighbours
        self._dialog = ui.dialog().props("position=right full-height")
        self._dialog.props["aria-label"] = "Media details"
        self._dialog.on("hide", self._return_focus)
        self._dialog.on("keydown", self._arrow, js_handler=_ARROWS_JS)
        self._item_id: UUID | None = None
        self._dialog.props("data-testid=detail-panel")

    async def open(self, item_id: UUID, *, focus_on: str | None = None) -> None:
        details = await call(self._context, library.get_item_details, item_id=item_id)
        known = await call(self._context, tags.list_tags)
        if details is FAILED:
            return
        self._dialog.clear()
        with self._dialog, ui.card().classes("w-[440px] max-w-[100vw] h-full p-0 gap-0 rounded-none"):
            self._render(details, [] if known is FAILED else [tag.name for tag in known])
        self._item_id = item_id
        self._dialog.open()
        if focus_on:
            focus_selector(f'[data-testid="{focus_on}"]', on=self._dialog)

    def _return_focus(self) -> None:
        """Back to the item's tile: the grid may have been drawn anew (alt text saved) meanwhile."""
        if self._item_id is not None:
            focus_selector(f'[{OPEN_ATTRIBUTE}="{self._item_id}"]', on=self._dialog)

    async def _arrow(self, event: Any) -> None:
        await self._step(-1 if event.args == "ArrowLeft" else 1)

    async def _step(self, direction: int) -> None:
        if self._neighbours is None or self._item_id is None:
            return
        target = self._neighbours(self._item_id)[0 if direction < 0 else 1]
        if target is not None:
            await self.open(target, focus_on="detail-previous" if direction < 0 else "detail-next")

    def _steps(self, item_id: UUID) -> None:
        """Previous and next buttons, disabled at the ends of the page shown."""
        if self._neighbours is None:
            return
        before, after = self._neighbours(item_id)
        for icon, label, marker, target, direction in (
            ("chevron_left", "Previous image", "detail-previous", before, -1),
            ("chevron_right", "Next image", "detail-next", after, 1),
        ):
            button = ui.button(icon=icon, on_click=lambda direction=direction: self._step(direction))
            button.props("flat round dense").mark(marker)
            button.props.update({"aria-label": label, "data-testid": marker})
            button.set_enabled(target is not None)

    def _render(self, details: library.ItemDetails, tag_names: list[str]) -> None:
        item = details.item
        with ui.row().classes("w-full items-center gap-1 px-5 py-3 border-b border-slate-200"):
            ui.label("Media details").classes("text-base font-semibold")
            ui.space()
            self._steps(item.id)
            ui.button(icon="close", on_click=self._dialog.close).props(
                "flat round dense data-testid=close-detail aria-label=Close"
            ).mark("close-detail")
        with ui.column().classes("w-full grow overflow-y-auto overflow-x-hidden gap-4 p-5 no-wrap"):
            with ui.element("div").classes(  # shrink-0: a flex column would squeeze it to a sliver
                "nexus-checker w-full shrink-0 rounded-lg overflow-hidden flex justify-center"
            ):
                preview = ui.element("img").classes("block max-w-full max-h-72 w-auto h-auto object-contain")
                preview.props.update(src=preview_url(item, renditions.MEDIUM) or _waiting(item), alt="")
                preview.props["data-testid"] = "detail-preview"
                if item.width and item.height:  # the box keeps the image's aspect before it loads
                    preview.props.update(width=str(item.width), height=str(item.height))
            ui.label(item.filename).classes("text-lg font-medium break-all").props(
                "data-testid=detail-filename"
            )
            self._actions(item, details.viewer_role)
            if item.error:
                ui.label(item.error).classes("text-sm text-negative").props("data-testid=detail-error")
            self._facts(details)
            self._alt_text(item.id, item.alt_text, details.viewer_role)
            self._tags(item.id, list(item.tags), tag_names, details.viewer_role)
            self._urls(item.file_path, item.file_size, details.variants)
            self._used_in(details.used_in)
            self._delete(item.id, item.filename, details.viewer_role)

    def _actions(self, item: MediaItemView, role: Role) -> None:
        """Edit (a processed still picture) and Replace file, for those who may change media."""
        if not can(role, Action.EDIT_MEDIA):
            return
        reason = editing.why_not_editable(item.mime_type, item.frames)
        if reason is None and not item.original_width:
            reason = "It can be edited once it is processed."
        with ui.row().classes("w-full gap-2 -mt-1"):
            edit = ui.button("Edit", icon="crop_rotate", on_click=lambda: self._edit(item))
            edit.props("unelevated no-caps color=primary data-testid=detail-edit")
            edit.set_enabled(reason is None)
            replace = ui.button("Replace file", icon="upload_file", on_click=lambda: self._replace(item))
            replace.props("outline no-caps data-testid=detail-replace")
        if reason:
            ui.label(reason).classes("text-xs text-slate-600 -mt-2").props("data-testid=edit-denied")

    async def _edit(self, item: MediaItemView) -> None:
        if await edit_item(self._context, item):
            await self._on_changed()
        await self.open(item.id, focus_on="detail-edit")

    async def _replace(self, item: MediaItemView) -> None:
        if await replace_file(self._context, item):
            await self._on_changed()
            await self.open(item.id, focus_on="detail-replace")

    def _facts(self, details: library.ItemDetails) -> None:
        item = details.item
        facts = [
            ("Type", item.mime_type),
            ("Size", human_size(item.file_size)),
            ("Dimensions", dimensions(item.width, item.height)),
            ("Status", item.status),
            ("Uploaded by", details.uploader_email or "—"),
            ("Uploaded", human_date(item.inserted_at)),
        ]
        with ui.element("dl").classes("grid grid-cols-[7rem_1fr] gap-y-1 text-sm w-full"):
            for label, value in facts:
                with ui.element("dt").classes("text-slate-500"):
                    ui.label(label)
                with ui.element("dd").classes("text-slate-800 break-all"):
                    ui.label(value).props["data-testid"] = f"fact-{label.lower().replace(' ', '-')}"

    def _alt_text(self, item_id: UUID, alt_text: str, role: Role) -> None:
        editable = can(role, Action.EDIT_MEDIA)
        saved = ui.label("").classes("text-xs text-green-700 h-4 -mt-1").props("data-testid=alt-saved")
        saved.props["aria-live"] = "polite"

        async def save(event: Any) -> None:
            changed = await call(
                self._context, editing.update_alt_text, item_id=item_id, alt_text=event.value or ""
            )
            if changed is FAILED:
                return
            saved.set_text("Saved")
            ui.timer(2.5, lambda: saved.set_text(""), once=True)
            await self._on_changed()

        area = ui.textarea("Alt text", value=alt_text, on_change=save).props(
            "outlined autogrow debounce=700 maxlength=1000 counter data-testid=alt-text"
        )
        area.classes("w-full")
        if not editable:
            area.props("readonly hint='Viewers cannot change alt text'")
        else:
            area.props("hint='Describe the image for people who cannot see it; saved as you type'")
        saved.move(target_index=-1)

    def _tags(self, item_id: UUID, current: list[str], suggestions: list[str], role: Role) -> None:
        async def save(event: Any) -> None:
            chosen = list(event.value or [])
            changes = editing.ItemChanges(tags=chosen)
            if await call(self._context, editing.update_item, item_id=item_id, changes=changes) is not FAILED:
                await self._on_changed()

        field = tag_input(current, suggestions, marker="detail-tags", on_change=save)
        if not can(role, Action.EDIT_MEDIA):
            field.props("readonly")
            field.props["hint"] = "Viewers cannot change tags"

    def _urls(self, original_path: str, original_size: int, variants: list[library.VariantFile]) -> None:
        ui.label("Files").classes("text-sm font-medium text-slate-700 mt-2")
        rows = [("original", original_path, original_size), *((v.name, v.path, v.size) for v in variants)]
        with ui.column().classes("w-full gap-1"):
            for name, path, size in rows:
                with ui.row().classes(
                    "w-full min-w-0 items-center gap-2 no-wrap rounded-lg bg-slate-50 px-3 py-1"
                ):
                    ui.label(name).classes("text-sm font-medium w-16 shrink-0")
                    ui.label(human_size(size) if size is not None else "").classes(
                        "text-xs text-slate-500 w-16 shrink-0"
                    )
                    ui.link(paths.url(path).rsplit("/", 1)[-1], paths.url(path), new_tab=True).classes(
                        "text-xs text-slate-500 truncate grow min-w-0 [direction:rtl] text-left"
                    )
                    copy = ui.button(icon="content_copy", on_click=_copier(paths.url(path)))
                    copy.props("flat round dense size=sm").tooltip(f"Copy the {name} URL")
                    copy.props.update({"data-testid": f"copy-{name}", "aria-label": f"Copy the {name} URL"})

    def _used_in(self, pages: list[tuple[str, str]]) -> None:
        ui.label("Used in").classes("text-sm font-medium text-slate-700 mt-2")
        with ui.column().classes("w-full gap-1").props("data-testid=used-in"):
            if not pages:
                ui.label("Not used by any page yet.").classes("text-sm text-slate-500")
            for page_id, title in pages:
                with ui.link(target=f"/admin/{self._context.project.slug}/pages/{page_id}").classes(
                    "flex items-center gap-2 text-sm no-underline text-primary hover:underline"
                ):
                    ui.icon("article").classes("text-base")
                    ui.label(title)

    def _delete(self, item_id: UUID, filename: str, role: Role) -> None:
        allowed = can(role, Action.DELETE_MEDIA)
        button = ui.button("Delete", icon="delete", on_click=lambda: self._confirm_delete(item_id, filename))
        button.props("outline color=negative data-testid=delete").classes("mt-4 self-start")
        if not allowed:
            button.disable()
            with ui.row().classes("items-center gap-1 text-xs text-slate-500 -mt-2"):
                ui.icon("lock").classes("text-sm")
                ui.label("Only project admins can delete media.").props("data-testid=delete-denied")

    async def _confirm_delete(self, item_id: UUID, filename: str) -> None:
        explanation = "The original and every variant are removed from storage. This cannot be undone."
        if not await confirm(f"Delete “{filename}”?", explanation, "Delete", marker="confirm-delete"):
            return
        try:
            deleted = await call(
                self._context, deletion.delete_item, item_id=item_id, force=False, expect=(MediaInUse,)
            )
        except MediaInUse as in_use:
            if not await confirm(
                "This image is in use",
                f"{in_use} Delete it anyway?",
                "Delete anyway",
                marker="confirm-delete",
            ):
                return
            deleted = await call(self._context, deletion.delete_item, item_id=item_id, force=True)
        if deleted is FAILED:
            return
        self._dialog.close()
        ui.notify(f"Deleted “{filename}”", type="positive")
        await self._on_changed()


def _waiting(item: MediaItemView) -> str:
    """While processing: the placeholder if there is one, else nothing yet (never the original)."""
    return item.placeholder.lqip if item.placeholder else ""
