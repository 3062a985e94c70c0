"""The admin as NiceGUI's `user` fixture runs it: every page registered, no web server."""

from fastapi import HTTPException
from fastapi.responses import RedirectResponse
from nicegui import ui

from nexus_core.errors import NotFound
from nexus_ui import pages
from nexus_ui.components.media_picker import MediaPicker
from nexus_ui.session import login_redirect, project_context, signed_in_user
from nexus_ui.theme import apply_theme


async def picker_test_page(slug: str) -> RedirectResponse | None:
    """Tests only: open the media picker and show what it returned."""
    user = await signed_in_user()
    if user is None:
        return login_redirect(f"/test/picker/{slug}")
    try:
        context = await project_context(user, slug)
    except NotFound:
        raise HTTPException(status_code=404) from None
    apply_theme()
    picker = MediaPicker(context)
    result = ui.label("picked: nothing yet").mark("picked")

    async def open_picker() -> None:
        item = await picker.pick()
        result.set_text(f"picked: {item.id if item else 'none'}")

    ui.button("Open picker", on_click=open_picker).mark("open-picker")
    return None


pages.register()
ui.page("/test/picker/{slug}")(picker_test_page)
ui.run(storage_secret="nexus ui tests", show_welcome_message=False)
