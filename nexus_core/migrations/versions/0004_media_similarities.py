"""media similarities: pairs of items that look alike, both ways, written by the processing job; the
project's perceptual hashes indexed for the job's pass over them

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 10:37:56.876189
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "media_similarities",
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("other_id", sa.Uuid(), nullable=False),
        sa.Column("distance", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["media_items.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["other_id"], ["media_items.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("item_id", "other_id"),
    )
    with op.batch_alter_table("media_similarities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_media_similarities_other_id"), ["other_id"], unique=False)
    with op.batch_alter_table("media_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_media_items_project_perceptual_hash", ["project_id", "perceptual_hash"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("media_items", schema=None) as batch_op:
        batch_op.drop_index("ix_media_items_project_perceptual_hash")

    with op.batch_alter_table("media_similarities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_media_similarities_other_id"))

    op.drop_table("media_similarities")
