"""The admin as NiceGUI's `user` fixture runs it: every page registered, no web server."""

from nicegui import ui

from nexus_ui import pages

pages.register()
ui.run(storage_secret="nexus ui tests", show_welcome_message=False)
