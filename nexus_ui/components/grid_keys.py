"""Arrow keys, Home and End move between the tiles of a grid (library and picker), as in a file
manager. The tiles are the `data-grid-tile` elements inside the `data-grid` element (a library tile
sits in a cell with its checkbox)."""

from __future__ import annotations

from nicegui import ui

GRID_ATTRIBUTE = "data-grid"
TILE_ATTRIBUTE = "data-grid-tile"
_SCRIPT = """<script>
document.addEventListener("keydown", (event) => {
  const keys = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"];
  const tile = event.target instanceof Element && event.target.closest("[data-grid-tile]");
  if (!tile || !keys.includes(event.key) || event.altKey || event.ctrlKey || event.metaKey) return;
  const grid = tile.closest("[data-grid]") || tile.parentElement;
  const tiles = Array.from(grid.querySelectorAll("[data-grid-tile]"));
  const top = (each) => Math.round(each.getBoundingClientRect().top);
  const columns = tiles.filter((each) => top(each) === top(tiles[0])).length || 1;
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
