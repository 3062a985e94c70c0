"""edits and versions: an item's focal point, crop, rotation and flips, its version, the size of its upright
original beside the edited picture's, and when an owed deletion falls due (files of earlier versions)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-14 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


ITEM_COLUMNS: tuple[sa.Column[object], ...] = (
    sa.Column("original_width", sa.Integer(), nullable=True),
    sa.Column("original_height", sa.Integer(), nullable=True),
    sa.Column("focal_point", sa.JSON(), nullable=True),
    sa.Column("crop", sa.JSON(), nullable=True),
    sa.Column("rotate", sa.SmallInteger(), server_default="0", nullable=False),
    sa.Column("flip_horizontal", sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column("flip_vertical", sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column("version", sa.Integer(), server_default="1", nullable=False),
)


def upgrade() -> None:
    for column in ITEM_COLUMNS:
        op.add_column("media_items", column)
    # Nothing was edited before: the picture is the upright original.
    op.execute("UPDATE media_items SET original_width = width, original_height = height")
    op.add_column("pending_deletions", sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+), not a batch rebuild: a rebuild of media_items would
    # lose 0005's expression and partial indexes, which SQLAlchemy cannot reflect. An edited item's
    # width and height go back to its original's, as the schema before knew no other picture.
    op.execute(
        "UPDATE media_items SET width = original_width, height = original_height "
        "WHERE original_width IS NOT NULL"
    )
    op.drop_column("pending_deletions", "due_at")
    for column in reversed(ITEM_COLUMNS):
        op.drop_column("media_items", column.name)
