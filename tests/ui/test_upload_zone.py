import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import Session

from nexus_core.media import formats
from nexus_core.models import Project, Role
from tests.ui.conftest import member_email, sign_in

pytestmark = pytest.mark.nicegui_main_file("tests/ui/main.py")


async def test_the_file_picker_offers_the_types_of_the_format_table(
    user: User, session: Session, project: Project
) -> None:
    await sign_in(user, member_email(session, project, Role.EDITOR), next_path=f"/admin/{project.slug}/media")
    await user.should_see(kind=ui.upload)
    upload = user.find(ui.upload).elements.pop()
    assert upload.props["accept"].split(",") == [
        *(f".{extension}" for row in formats.FORMATS for extension in row.extensions),
        *(row.mime_type for row in formats.FORMATS),
    ]
    await user.should_see("JPEG, PNG, GIF, WebP, AVIF or SVG · up to 10 at a time · 20 MB each")
    await user.should_see("Choose files")
