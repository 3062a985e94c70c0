"""NiceGUI admin for Nexus Media: pages call nexus_core services and hold no business rules."""

import os
from contextlib import suppress

from pydantic import ValidationError

from nexus_core.config import get_settings

# NiceGUI reads this when it is imported; keep its per-browser storage with the rest of NEXUS_HOME.
# Invalid settings are left to the command that needs them (`nexus` reports them in one line).
with suppress(ValidationError):
    os.environ.setdefault("NICEGUI_STORAGE_PATH", str(get_settings().resolved_home / "nicegui"))
