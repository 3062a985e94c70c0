"""One module per screen; importing this package registers every page."""

from nexus_ui.pages import login, media_library, not_found, projects

__all__ = ["login", "media_library", "not_found", "projects"]
