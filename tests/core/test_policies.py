import pytest

from nexus_core.errors import Forbidden
from nexus_core.models import Role
from nexus_core.models.base import new_id
from nexus_core.policies import Action, Actor, authorize, can

# The table in DESIGN.md, "Who may do what".
EXPECTED = {
    Action.VIEW: {Role.ADMIN, Role.EDITOR, Role.VIEWER},
    Action.UPLOAD: {Role.ADMIN, Role.EDITOR},
    Action.EDIT_MEDIA: {Role.ADMIN, Role.EDITOR},
    Action.EDIT_PAGES: {Role.ADMIN, Role.EDITOR},
    Action.DELETE_MEDIA: {Role.ADMIN},
    Action.MANAGE_MEMBERS: {Role.ADMIN},
    Action.MANAGE_API_KEYS: {Role.ADMIN},
    Action.MANAGE_WEBHOOKS: {Role.ADMIN},
}


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_role_table_matches_design(role: Role, action: Action) -> None:
    assert can(role, action) is (role in EXPECTED[action])


def test_forbidden_message_names_role_and_who_may() -> None:
    actor = Actor(user_id=new_id(), project_id=new_id(), role=Role.EDITOR)
    with pytest.raises(Forbidden, match=r"Your role \(editor\) cannot delete media.*admin"):
        authorize(actor, Action.DELETE_MEDIA)
