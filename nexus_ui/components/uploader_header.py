"""The parts of a Quasar uploader's header slot, drawn as NiceGUI elements. A slot given as a template
is a new Vue component each time the uploader redraws (three times as a page opens, and on each upload's
progress), so a button in it lost the keyboard focus; elements keep their place and are only patched.
Each reads the slot's scope (`props.pickFiles`, `props.isUploading`) through a bound property."""

from __future__ import annotations

from nicegui import ui


def choose_button(label: str, *, icon: str, test_id: str) -> ui.button:
    """Opens the browser's file dialog from the click itself (a user gesture, as browsers require), and
    on Enter as the key goes down, as a native button does: Quasar's button clicks when the key comes up,
    and a browser opens a file dialog only within 5 s of the key press, which a busy machine can miss."""
    button = ui.button(label, icon=icon).props(f"unelevated no-caps color=primary data-testid={test_id}")
    button.props[":onClick"] = "props.pickFiles"
    button.props[":onKeydown"] = (
        "(e) => { if (e.key === 'Enter') { e.preventDefault(); props.pickFiles(e); } }"
    )
    return button


def uploading_spinner() -> ui.spinner:
    spinner = ui.spinner(color="primary", size="20px")
    spinner.props[":style"] = "props.isUploading ? '' : 'display: none'"
    spinner.props["aria-hidden"] = "true"
    return spinner


def file_input() -> None:
    """The uploader's hidden file input, which `pickFiles` clicks and drops land in."""
    with ui.element("div").style("display: none"):
        ui.element("q-uploader-add-trigger")
