"""/login, and /logout: a page that asks, so a link or a frame on another site cannot sign anyone out."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import context, ui

from nexus_core import accounts
from nexus_core.errors import NexusError
from nexus_ui.calls import FAILED, call_unscoped
from nexus_ui.components.heading import heading
from nexus_ui.layout import centered_card, sign_out_and_leave
from nexus_ui.session import sign_in, signed_in_user


def safe_next(target: str | None) -> str:
    """Only same-site paths: `next=//evil.example` or a full URL must not send people elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


async def login_page(next: str | None = None) -> RedirectResponse | None:
    destination = safe_next(next)
    client_address = context.client.ip or "unknown"
    if await signed_in_user() is not None:
        return RedirectResponse(destination, status_code=303)

    async def attempt() -> None:
        """The password check (argon2, ~100 ms by design) runs off the event loop like every core call."""
        try:
            user = await call_unscoped(
                accounts.authenticate,
                email=email.value or "",
                password=password.value or "",
                client=client_address,
                expect=(NexusError,),
            )
        except NexusError as error:  # said beside the form, where the person is looking
            problem.set_text(str(error))
            problem.set_visibility(True)
            password.set_value("")
            return
        if user is FAILED:
            return
        sign_in(user)
        ui.navigate.to(destination)

    with centered_card():
        with ui.row().classes("items-center gap-2"):
            ui.icon("perm_media", color="primary").classes("text-3xl")
            heading("Nexus Media")
        ui.label("Sign in to your media library").classes("text-slate-500 -mt-2")
        email = (
            ui.input("Email").props("outlined autofocus type=email autocomplete=username").classes("w-full")
        )
        password = ui.input("Password", password=True).props("outlined autocomplete=current-password")
        password.classes("w-full").on("keydown.enter", attempt)
        email.on("keydown.enter", attempt)
        problem = ui.label().classes("text-negative text-sm").props("data-testid=login-error")
        problem.mark("login-error")
        problem.set_visibility(False)
        ui.button("Sign in", on_click=attempt).props("unelevated size=md").classes("w-full").mark("sign-in")
    return None


async def logout_page() -> RedirectResponse | None:
    user = await signed_in_user()
    if user is None:
        return RedirectResponse("/login", status_code=303)
    with centered_card():
        heading("Sign out?")
        ui.label(f"You are signed in as {user.email}.").classes("text-slate-500")
        with ui.row().classes("w-full justify-end gap-2"):
            ui.button("Stay signed in", on_click=lambda: ui.navigate.to("/")).props("flat")
            ui.button("Sign out", on_click=sign_out_and_leave).props("unelevated").mark("confirm-sign-out")
    return None
