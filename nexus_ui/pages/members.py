"""/admin/{slug}/members: who belongs to the project and with which role."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from nexus_core import projects
from nexus_core.models import Role
from nexus_core.policies import Action, can
from nexus_ui.calls import FAILED, call, load
from nexus_ui.components.confirm import confirm
from nexus_ui.components.heading import heading
from nexus_ui.components.notices import admin_only_note
from nexus_ui.format import human_date
from nexus_ui.layout import project_frame
from nexus_ui.redrawn import Redrawn
from nexus_ui.session import ProjectContext, open_project_page

ROLE_LABELS = {role.value: role.value.capitalize() for role in Role}
ROLE_HINT = (
    "Admins manage members and API keys; editors upload and edit; viewers look without changing anything."
)
COLUMNS = (
    "grid grid-cols-[minmax(0,1fr)_8rem_2.5rem] sm:grid-cols-[minmax(0,1fr)_9rem_12rem_2.5rem] "
    "items-center gap-x-4 px-5"
)
JOINED = "max-sm:hidden"


class MembersPage(Redrawn[projects.MembersOverview]):
    """Admins get controls, everyone else a read-only list; each redraw uses the role read just then."""

    def __init__(self, context: ProjectContext, view: projects.MembersOverview) -> None:
        super().__init__(context, view, projects.members_overview)
        self.new_email = ""
        self.new_role = Role.EDITOR.value
        self.content()

    def draw(self, view: projects.MembersOverview) -> None:
        manages = can(view.role, Action.MANAGE_MEMBERS)
        with ui.column().classes("w-full gap-4"):
            with ui.column().classes("gap-0"):
                heading("Members")
                count = len(view.members)
                ui.label(f"{count} member{'s' if count != 1 else ''}").classes(
                    "text-sm text-slate-500"
                ).props("data-testid=member-count")
            if manages:
                self._add_form()
            else:
                admin_only_note(
                    "Only project admins can manage members.",
                    "Ask an admin of this project to add someone or change a role.",
                )
            self._member_list(view.members, manages)

    def _add_form(self) -> None:
        with ui.card().classes("w-full p-5 gap-3 rounded-xl").props("flat bordered").mark("add-member-form"):
            ui.label("Add a member").classes("text-base font-semibold")
            with ui.row().classes("w-full items-start gap-3"):
                email = (
                    ui.input("Email", value=self.new_email, placeholder="name@example.com")
                    .bind_value_to(self, "new_email")
                    .props("outlined dense type=email data-testid=new-member-email")
                    .classes("grow min-w-[16rem]")
                    .mark("new-member-email")
                )
                email.on("keydown.enter", self._add)
                ui.select(ROLE_LABELS, label="Role", value=self.new_role).bind_value_to(
                    self, "new_role"
                ).props("outlined dense options-dense data-testid=new-member-role").classes("w-36").mark(
                    "new-member-role"
                )
                ui.button("Add member", icon="person_add", on_click=self._add).props(
                    "unelevated no-caps data-testid=add-member"
                ).classes("h-10").mark("add-member")
            with ui.column().classes("gap-1 text-xs text-slate-500"):
                with ui.row().classes("items-center gap-1"):
                    ui.label("The person needs an account first; an operator creates it with")
                    ui.label("nexus user create").classes(
                        "font-mono bg-slate-100 text-slate-700 rounded px-1"
                    )
                ui.label(ROLE_HINT)

    def _member_list(self, members: list[projects.MemberRow], manages: bool) -> None:
        with (
            ui.card().classes("w-full p-0 gap-0 rounded-xl overflow-x-auto").props("flat bordered"),
            ui.column().classes("w-full gap-0"),
        ):
            with ui.element("div").classes(
                f"{COLUMNS} w-full py-2 bg-slate-50 border-b border-slate-200 "
                "text-xs font-medium uppercase tracking-wide text-slate-500"
            ):
                ui.label("Member")
                ui.label("Role")
                ui.label("Joined").classes(JOINED)
            for member in members:
                self._member_row(member, manages)

    def _member_row(self, member: projects.MemberRow, manages: bool) -> None:
        row = ui.element("div").classes(f"{COLUMNS} w-full py-3 border-b border-slate-100 last:border-b-0")
        with row.props("data-testid=member-row").mark("member-row", f"member-{member.email}"):
            with ui.row().classes("items-center gap-3 no-wrap min-w-0"):
                ui.label(member.email[:1].upper()).classes(
                    "w-9 h-9 shrink-0 rounded-full bg-indigo-50 text-indigo-700 font-semibold "
                    "flex items-center justify-center max-sm:hidden"
                )
                ui.label(member.email).classes("truncate font-medium text-slate-800")
                if member.user_id == self.context.user.id:
                    ui.badge("You", color="indigo-1").props("text-color=indigo-9")
            if manages:
                ui.select(
                    ROLE_LABELS,
                    value=member.role.value,
                    on_change=lambda event: self._change_role(member, event.value),
                ).props("outlined dense options-dense data-testid=member-role").mark(f"role-{member.email}")
            else:
                ui.label(ROLE_LABELS[member.role.value]).classes("text-slate-700").mark(
                    f"role-{member.email}"
                )
            ui.label(human_date(member.inserted_at)).classes(f"text-sm text-slate-500 {JOINED}")
            if manages:
                ui.button(icon="person_remove", on_click=lambda: self._confirm_remove(member)).props(
                    "flat round dense color=negative data-testid=remove-member"
                ).tooltip("Remove from the project").mark(f"remove-{member.email}").props[
                    "aria-label"
                ] = f"Remove {member.email} from the project"

    async def _add(self) -> None:
        email = self.new_email.strip()
        added = await call(self.context, projects.add_member, email=email, role=self.new_role)
        if added is not FAILED:
            ui.notify(f"Added {email} as {added.role}", type="positive")
            self.new_email = ""
        await self.reload()

    async def _change_role(self, member: projects.MemberRow, role: str) -> None:
        if role == member.role.value:
            return
        changed = await call(self.context, projects.change_role, user_id=member.user_id, role=role)
        if changed is not FAILED:
            ui.notify(f"{member.email} is now {role}", type="positive", timeout=2000)
        await self.reload()

    async def _confirm_remove(self, member: projects.MemberRow) -> None:
        removing = await confirm(
            f"Remove {member.email}?",
            "They lose access to this project at once, and their API keys in it are revoked.",
            "Remove",
            marker="confirm-remove",
        )
        if not removing:
            return
        if await call(self.context, projects.remove_member, user_id=member.user_id) is not FAILED:
            if member.user_id == self.context.user.id:
                ui.navigate.to("/")
                return
            ui.notify(f"Removed {member.email}", type="positive")
        await self.reload()


async def members_page(slug: str) -> RedirectResponse | None:
    context = await open_project_page(slug, f"/admin/{slug}/members")
    if isinstance(context, RedirectResponse):
        return context
    view = await load(context, projects.members_overview)
    with project_frame(context, active="members", title="Members"):
        MembersPage(context, view)
    return None
