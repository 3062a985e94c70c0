"""renditions and placeholders: every stored rendition with its size (so lists never ask storage), the
placeholder shown until a picture loads, and the frame count that decides which formats an item gets

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 11:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


COLUMNS = ("renditions", "placeholder", "frames")


def upgrade() -> None:
    op.add_column("media_items", sa.Column("renditions", sa.JSON(), nullable=True))
    op.add_column("media_items", sa.Column("placeholder", sa.JSON(), nullable=True))
    op.add_column("media_items", sa.Column("frames", sa.Integer(), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+), not a batch rebuild: a rebuild of media_items would
    # lose 0005's expression and partial indexes, which SQLAlchemy cannot reflect.
    for column in reversed(COLUMNS):
        op.drop_column("media_items", column)
