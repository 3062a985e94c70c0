"""/admin/{slug}/pages/{page_id}: edit a page — template fields, rich text, save, publish."""

from __future__ import annotations

import time
from functools import partial
from typing import Any

from fastapi import HTTPException
from fastapi.responses import RedirectResponse
from nicegui import ui

from nexus_core.content import pages
from nexus_core.content.templates import TITLE_FIELD, FieldType, get_template
from nexus_core.errors import NotFound
from nexus_core.media.upload import SpooledUpload
from nexus_core.models import PageStatus
from nexus_core.policies import Action, can
from nexus_core.read_models import MediaItemView, PageForEditing
from nexus_ui.calls import FAILED, Failure, call
from nexus_ui.components.heading import heading
from nexus_ui.components.image_field import ImageField
from nexus_ui.components.media_picker import MediaPicker
from nexus_ui.components.tiptap_editor import ImageAttributes, TiptapEditor
from nexus_ui.components.upload_zone import upload_one
from nexus_ui.format import human_date
from nexus_ui.layout import project_frame
from nexus_ui.pages.pages_list import status_badge
from nexus_ui.session import ProjectContext, open_project_page

AUTOSAVE_AFTER_SECONDS = 2.0
WARN_BEFORE_LEAVING = """
<script>
window.addEventListener('beforeunload', (event) => {
  if (window.nexusUnsaved || window.nexusUploading) { event.preventDefault(); event.returnValue = ''; }
});
</script>
"""


class PageEditor:
    """Keeps the edited values; saves on demand and by itself a moment after the last change."""

    def __init__(self, context: ProjectContext, editing: PageForEditing) -> None:
        self.context = context
        self.page = editing.page
        self.images = editing.images
        self.template = get_template(self.page.template)
        self.editable = can(context.role_at_open, Action.EDIT_PAGES)
        self.values: dict[str, Any] = {
            "title": self.page.title,
            "slug": self.page.slug,
            "template_data": dict(self.page.template_data),
        }
        self.revision = 0
        self.saved_revision = 0
        self.last_change = 0.0
        self.saving = False
        ui.add_body_html(WARN_BEFORE_LEAVING)
        self._build_header()
        with ui.card().classes("w-full max-w-4xl p-6 gap-5 rounded-xl").props("flat bordered"):
            self._build_fields()
        if self.editable:
            ui.timer(0.5, self._autosave)

    @property
    def dirty(self) -> bool:
        return self.revision != self.saved_revision

    def _build_header(self) -> None:
        with ui.row().classes("w-full max-w-4xl items-center gap-3"):
            self.heading = heading(self.page.title)
            self.badge_area = ui.row()
            ui.space()
            self.state = (
                ui.label("All changes saved")
                .classes("text-sm text-slate-500")
                .props("data-testid=save-state")
            )
            self.view_link = (
                ui.link("View", "", new_tab=True).classes("text-sm").props("data-testid=view-page")
            )
            if self.editable:
                ui.button("Save", icon="save", on_click=self.save).props(
                    "outline no-caps data-testid=save-page"
                ).mark("save-page")
                self.publish_button = (
                    ui.button(on_click=self.toggle_published)
                    .props("unelevated no-caps data-testid=publish-page")
                    .mark("publish-page")
                )
        self._show_status()

    def _build_fields(self) -> None:
        for field in self.template.fields:
            if field.key == TITLE_FIELD:
                title = ui.input(
                    field.label, value=self.page.title, on_change=lambda e: self._change("title", e.value)
                )
                title.props("outlined").classes("w-full text-lg").mark("field-title")
                self._tag(title, "field-title")
                slug = ui.input(
                    "Slug", value=self.page.slug, on_change=lambda e: self._change("slug", e.value)
                )
                slug.props("outlined dense").classes("w-full").mark("field-slug")
                slug.props["prefix"] = f"/p/{self.context.project.slug}/"
                self._tag(slug, "field-slug")
            elif field.type is FieldType.IMAGE:
                value = self.values["template_data"].get(field.key, "")
                ImageField(
                    self.context,
                    key=field.key,
                    label=field.label,
                    value=value,
                    image=self.images.get(value["media_id"]) if isinstance(value, dict) else None,
                    editable=self.editable,
                    on_change=partial(self._change_data, field.key),
                    aspect=field.aspect,
                )
            elif field.type is FieldType.TEXTAREA:
                area = ui.textarea(
                    field.label,
                    value=self.values["template_data"].get(field.key, ""),
                    on_change=lambda e, key=field.key: self._change_data(key, e.value),
                )
                self._tag(area.props("outlined autogrow").classes("w-full"), f"field-{field.key}")
            elif field.type is FieldType.RICH_TEXT:
                ui.label(field.label).classes("text-sm font-medium text-slate-700 -mb-3")
                self.body = (
                    TiptapEditor(
                        label=field.label,
                        value=self.page.body_json,
                        item_alts={media_id: image.alt_text for media_id, image in self.images.items()},
                        on_change=lambda _event: self._touch(),
                        on_pick_image=self._pick_image,
                        on_upload=self._upload_image,
                        editable=self.editable,
                    )
                    .classes("w-full")
                    .props("data-testid=body-editor")
                )
            else:
                text = ui.input(
                    field.label,
                    value=self.values["template_data"].get(field.key, ""),
                    on_change=lambda e, key=field.key: self._change_data(key, e.value),
                )
                self._tag(text.props("outlined").classes("w-full"), f"field-{field.key}")

    def _tag(self, field: ui.element, testid: str) -> None:
        """Test id and read-only state through the props mapping, never a props string built from data."""
        field.props["data-testid"] = testid
        field.props.set_bool("readonly", not self.editable)

    def _change(self, name: str, value: Any) -> None:
        self.values[name] = value or ""
        self._touch()

    def _change_data(self, key: str, value: Any) -> None:
        self.values["template_data"][key] = value or ""
        self._touch()

    def _touch(self) -> None:
        self.revision += 1
        self.last_change = time.monotonic()
        self._show_state()

    def _show_state(self) -> None:
        text = "Saving…" if self.saving else ("Unsaved changes" if self.dirty else "All changes saved")
        self.state.set_text(text)
        ui.run_javascript(f"window.nexusUnsaved = {'true' if self.dirty else 'false'}")

    def _show_status(self) -> None:
        published = self.page.status == PageStatus.PUBLISHED
        self.badge_area.clear()
        with self.badge_area:
            status_badge(self.page.status)
        url = f"/p/{self.context.project.slug}/{self.page.slug}"
        self.view_link.props["href"] = url
        self.view_link.set_visibility(published)
        if self.editable:
            self.publish_button.set_text("Unpublish" if published else "Publish")
            self.publish_button.set_icon("unpublished" if published else "publish")
        if published and self.page.published_at:
            self.view_link.tooltip(f"Published {human_date(self.page.published_at)}")

    async def _autosave(self) -> None:
        quiet_for = time.monotonic() - self.last_change
        if (
            self.dirty
            and not self.saving
            and not self.body.uploads_in_flight
            and quiet_for >= AUTOSAVE_AFTER_SECONDS
        ):
            await self.save()

    async def save(self) -> bool:
        if self.saving:
            return False
        self.saving = True
        revision = self.revision
        self._show_state()
        try:
            body = await self.body.current_document()
            if self.body.uploads_in_flight:
                ui.notify("Images are still uploading; the page saves once they are in.", type="info")
                return False
            values = {**self.values, "body_json": body}
            page = await call(self.context, pages.save_page, page_id=self.page.id, **values)
        finally:
            self.saving = False
        if page is FAILED:
            self.last_change = time.monotonic() + 30  # do not retry a refused save every half second
            self._show_state()
            return False
        self.page = page
        self.saved_revision = revision
        self.heading.set_text(page.title)
        self._show_status()
        self._show_state()
        return True

    async def toggle_published(self) -> None:
        if self.dirty and not await self.save():
            return
        published = self.page.status != PageStatus.PUBLISHED
        page = await call(self.context, pages.set_published, page_id=self.page.id, published=published)
        if page is not FAILED:
            self.page = page
            self._show_status()
            ui.notify("Published" if page.status == PageStatus.PUBLISHED else "Unpublished", type="positive")

    async def _pick_image(self) -> ImageAttributes | None:
        item = await MediaPicker(self.context).pick()
        return self._placed(item) if item else None

    async def _upload_image(self, filename: str, data: SpooledUpload) -> ImageAttributes | Failure:
        with self.body:  # called by the editor's upload route: speak to this page's client
            item = await upload_one(self.context, filename, data)
        return FAILED if item is FAILED else self._placed(item)

    def _placed(self, item: MediaItemView) -> ImageAttributes:
        """The image node for a chosen item; the editor learns the item's alt text (the override's placeholder)."""
        attributes = pages.image_node_attributes(item)
        self.body.know_item_alt(str(item.id), item.alt_text)
        return attributes


async def page_editor_page(slug: str, page_id: str) -> RedirectResponse | None:
    context = await open_project_page(slug, f"/admin/{slug}/pages/{page_id}")
    if isinstance(context, RedirectResponse):
        return context
    try:
        editing = await call(context, pages.page_for_editing, page_id=page_id, expect=(NotFound,))
    except NotFound:
        raise HTTPException(status_code=404) from None
    if editing is FAILED:
        raise HTTPException(status_code=503)
    title = editing.page.title
    with project_frame(context, active="pages", title=title, parent=("Pages", f"/admin/{slug}/pages")):
        PageEditor(context, editing)
    return None
