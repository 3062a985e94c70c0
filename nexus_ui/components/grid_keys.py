"""Arrow keys, Home and End move between the tiles of a grid (library and picker), as in a file
manager; Tab then leaves the grid instead of walking through every tile."""

from __future__ import annotations

from nicegui import ui

TILE_ATTRIBUTE = "data-grid-tile"
_SCRIPT = """<script>
document.addEventListener("keydown", (event) => {
  const keys = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"];
  const tile = event.target instanceof Element && event.target.closest("[data-grid-tile]");
  if (!tile || !keys.includes(event.key) || event.altKey || event.ctrlKey || event.metaKey) return;
  const tiles = Array.from(tile.parentElement.children).filter((each) => each.hasAttribute("data-grid-tile"));
  const columns = tiles.filter((each) => each.offsetTop === tiles[0].offsetTop).length || 1;
  const at = tiles.indexOf(tile);
  const moves = {ArrowLeft: at - 1, ArrowRight: at + 1, ArrowUp: at - columns, ArrowDown: at + columns,
                 Home: 0, End: tiles.length - 1};
  const next = tiles[moves[event.key]];
  event.preventDefault();
  if (next) { next.focus(); next.scrollIntoView({block: "nearest"}); }
});
</script>"""


def enable_grid_keys() -> None:
    ui.add_body_html(_SCRIPT)
