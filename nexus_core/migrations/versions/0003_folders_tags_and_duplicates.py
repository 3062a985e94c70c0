"""folders tags and duplicates

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 15:06:17.659746
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "folders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("sibling_key", sa.String(length=400), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("inserted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["folders.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "sibling_key", name="uq_folders_project_sibling"),
    )
    with op.batch_alter_table("folders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_folders_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_folders_project_id"), ["project_id"], unique=False)

    op.create_table(
        "tags",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "name_key", name="uq_tags_project_name"),
    )
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tags_project_id"), ["project_id"], unique=False)

    op.create_table(
        "media_tags",
        sa.Column("media_item_id", sa.Uuid(), nullable=False),
        sa.Column("tag_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["media_item_id"], ["media_items.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("media_item_id", "tag_id"),
    )
    with op.batch_alter_table("media_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_media_tags_tag_id"), ["tag_id"], unique=False)

    with op.batch_alter_table("media_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("folder_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("perceptual_hash", sa.BigInteger(), nullable=True))
        batch_op.create_index(batch_op.f("ix_media_items_folder_id"), ["folder_id"], unique=False)
        batch_op.create_index("ix_media_items_project_sha256", ["project_id", "sha256"], unique=False)
        batch_op.create_foreign_key(
            "fk_media_items_folder_id", "folders", ["folder_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:

    with op.batch_alter_table("media_items", schema=None) as batch_op:
        batch_op.drop_constraint("fk_media_items_folder_id", type_="foreignkey")
        batch_op.drop_index("ix_media_items_project_sha256")
        batch_op.drop_index(batch_op.f("ix_media_items_folder_id"))
        batch_op.drop_column("perceptual_hash")
        batch_op.drop_column("sha256")
        batch_op.drop_column("folder_id")

    with op.batch_alter_table("media_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_media_tags_tag_id"))

    op.drop_table("media_tags")
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tags_project_id"))

    op.drop_table("tags")
    with op.batch_alter_table("folders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_folders_project_id"))
        batch_op.drop_index(batch_op.f("ix_folders_parent_id"))

    op.drop_table("folders")
