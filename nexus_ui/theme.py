"""Colours and the page chrome shared by every screen."""

from __future__ import annotations

from nicegui import ui

from nexus_ui.components.grid_keys import enable_grid_keys

PRIMARY = "#4f46e5"
# Quasar's global loading bar is a progressbar with no name; screen readers would say just "progress".
LOADING_BAR_NAME = """<script>
window.addEventListener("load", () => window.Quasar?.LoadingBar?.setDefaults?.({"aria-label": "Loading"}));
</script>"""


def apply_theme() -> None:
    ui.button.default_props("no-caps")
    ui.colors(primary=PRIMARY, secondary="#64748b", accent="#0ea5e9", positive="#16a34a", negative="#dc2626")
    ui.query("body").classes("bg-slate-50 text-slate-900")
    ui.add_body_html(LOADING_BAR_NAME)
    enable_grid_keys()
    ui.add_css(
        """
        /* A visible focus ring on every control. In NiceGUI's first layer: an !important rule there
           beats Quasar's `.no-outline { outline: 0 !important }`, which sits in a later layer. */
        @layer theme {
          :focus-visible { outline: 2px solid #4f46e5 !important; outline-offset: 2px !important; }
          .q-btn--unelevated:focus-visible { outline: 3px solid #1e1b4b !important; }
          .nexus-bulk :focus-visible { outline-color: #fff !important; }
        }
        .nexus-nav a { color: #334155; text-decoration: none; }
        .nexus-nav a.active { background: #eef2ff; color: #4338ca; font-weight: 600; }
        .nexus-nav a:hover:not(.active) { background: #f1f5f9; }
        .nexus-tile { transition: box-shadow .15s, transform .15s; }
        .nexus-tile:hover { box-shadow: 0 6px 18px rgba(15, 23, 42, .12); }
        .nexus-tile.selected { outline: 3px solid #4f46e5; outline-offset: 2px; }
        .nexus-checker { background-color: #f8fafc; background-image:
            linear-gradient(45deg, #e2e8f0 25%, transparent 25%), linear-gradient(-45deg, #e2e8f0 25%, transparent 25%),
            linear-gradient(45deg, transparent 75%, #e2e8f0 75%), linear-gradient(-45deg, transparent 75%, #e2e8f0 75%);
            background-size: 16px 16px; background-position: 0 0, 0 8px, 8px -8px, -8px 0; }
        .nexus-upload { border-style: dashed; border-color: #a5b4fc; background: #f8faff; }
        .nexus-upload .q-uploader__header { background: transparent; color: inherit; }
        .nexus-upload .q-uploader__list { min-height: 0; padding: 0 0 8px; }
        .nexus-upload.q-uploader--dnd { border-color: #4f46e5; background: #eef2ff; }
        .nexus-folder { display: flex; align-items: center; gap: 8px; padding: 6px 10px; border-radius: 8px;
            color: #334155; text-align: left; font-size: 14px; cursor: pointer; background: none; border: 0; }
        .nexus-folder:hover { background: #f1f5f9; }
        .nexus-folder[aria-current=true] { background: #eef2ff; color: #4338ca; font-weight: 600; }
        .nexus-folder.drop-target { background: #e0e7ff; outline: 2px dashed #4f46e5; }
        .nexus-folders { position: sticky; top: 72px; max-height: calc(100vh - 88px); overflow-y: auto; }
        @media (max-width: 1023.98px) {
            .nexus-folders { display: none; }
            .nexus-folders.open { display: block; position: fixed; inset: 0; z-index: 5000; width: auto !important;
                max-height: none; background: #fff; padding: 16px; box-shadow: 0 10px 40px rgba(15, 23, 42, .3); }
        }
        .nexus-check { position: absolute; top: 8px; right: 8px; width: 28px; height: 28px; border-radius: 9999px;
            display: flex; align-items: center; justify-content: center; cursor: pointer;
            background: rgba(255, 255, 255, .92); border: 2px solid #64748b; color: transparent; }
        .nexus-check.static { position: static; }
        .nexus-check .q-icon { font-size: 18px; }
        .nexus-check[aria-checked=true] { background: #4f46e5; border-color: #4f46e5; color: #fff; }
        .nexus-check:hover { border-color: #4f46e5; }
        .nexus-bulk { background: #1e1b4b; color: #fff; position: sticky; top: 64px; z-index: 5; }
        .nexus-filters { background: #fff; border: 1px solid #e2e8f0; }
        .nexus-list th { text-align: left; font-weight: 600; color: #475569; padding: 8px 10px; white-space: nowrap;
            border-bottom: 1px solid #e2e8f0; background: #f8fafc; }
        .nexus-list td { padding: 6px 10px; border-bottom: 1px solid #f1f5f9; white-space: nowrap; color: #334155; }
        .nexus-list tr.selected td { background: #eef2ff; }
        .nexus-link { color: #4338ca; background: none; border: 0; padding: 0; cursor: pointer; font: inherit; }
        .nexus-link:hover { text-decoration: underline; }
        .q-dialog__inner--right { padding: 0 !important; }
        .q-dialog__inner--right > .q-card { max-height: 100vh !important; }
        .nexus-editor { border: 1px solid #cbd5e1; border-radius: 12px; background: #fff; }
        .nexus-editor:focus-within { border-color: #4f46e5; box-shadow: 0 0 0 3px #e0e7ff; }
        .nexus-toolbar { display: flex; flex-wrap: wrap; gap: 2px; padding: 6px 8px; border-bottom: 1px solid #e2e8f0;
            position: sticky; top: 52px; background: #fff; border-radius: 12px 12px 0 0; z-index: 1; }
        .nexus-toolbar .q-btn { color: #475569; }
        .nexus-toolbar .q-btn.is-active { background: #eef2ff; color: #4338ca; }
        .nexus-prose { min-height: 16rem; padding: 16px 20px; outline: none; font-size: 16px; line-height: 1.7; }
        .nexus-prose h2 { font-size: 1.5rem; font-weight: 600; margin: 1.2em 0 .4em; line-height: 1.3; }
        .nexus-prose h3 { font-size: 1.25rem; font-weight: 600; margin: 1em 0 .3em; }
        .nexus-prose h4 { font-size: 1.1rem; font-weight: 600; margin: 1em 0 .3em; }
        .nexus-prose p { margin: 0 0 .75em; }
        .nexus-prose ul { list-style: disc; padding-left: 1.5em; }
        .nexus-prose ol { list-style: decimal; padding-left: 1.5em; }
        .nexus-prose blockquote { border-left: 3px solid #c7d2fe; padding-left: 1em; color: #475569; }
        .nexus-prose code { background: #f1f5f9; border-radius: 4px; padding: 0 4px; }
        .nexus-prose pre { background: #0f172a; color: #e2e8f0; border-radius: 8px; padding: 12px; }
        .nexus-prose a { color: #4f46e5; text-decoration: underline; }
        .nexus-prose img { max-width: 100%; max-height: 28rem; border-radius: 8px; margin: .75em 0; }
        .nexus-prose img.ProseMirror-selectednode { outline: 3px solid #4f46e5; }
        .nexus-prose img[alt^="Uploading"] { opacity: .5; filter: grayscale(1); }
        .nexus-prose p.is-editor-empty:first-child::before { content: attr(data-placeholder); color: #94a3b8;
            float: left; height: 0; pointer-events: none; }
        .nexus-slash-menu { position: absolute; z-index: 9000; min-width: 15rem; background: #fff; border: 1px solid #e2e8f0;
            border-radius: 10px; box-shadow: 0 10px 30px rgba(15, 23, 42, .15); padding: 4px; }
        .nexus-slash-item { display: flex; flex-direction: column; align-items: flex-start; width: 100%; border: 0;
            background: none; padding: 6px 10px; border-radius: 6px; cursor: pointer; text-align: left; }
        .nexus-slash-item span { font-size: 12px; color: #64748b; }
        .nexus-slash-item.is-selected, .nexus-slash-item:hover { background: #eef2ff; }
        .nexus-slash-empty { padding: 6px 10px; color: #94a3b8; }
        """
    )
