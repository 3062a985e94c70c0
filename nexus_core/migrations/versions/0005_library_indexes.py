"""library indexes: every list of a 100,000-item library walks an index in its order (folder,
name, size, duplicates only, kept by the new flag has_duplicates), and PostgreSQL searches filename
and alt text through trigram indexes (pg_trgm)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 11:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCHED = ("filename", "alt_text")


def upgrade() -> None:
    with op.batch_alter_table("media_items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("has_duplicates", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.execute(
        "UPDATE media_items SET has_duplicates = EXISTS "
        "(SELECT 1 FROM media_similarities WHERE media_similarities.item_id = media_items.id)"
    )
    op.create_index(
        "ix_media_items_project_duplicates_newest",
        "media_items",
        ["project_id", "inserted_at", "id"],
        postgresql_where=sa.text("has_duplicates"),
        sqlite_where=sa.text("has_duplicates"),
    )
    op.create_index(
        "ix_media_items_project_folder_newest",
        "media_items",
        ["project_id", "folder_id", "inserted_at", "id"],
    )
    op.create_index(
        "ix_media_items_project_name", "media_items", ["project_id", sa.text("lower(filename)"), "id"]
    )
    op.create_index("ix_media_items_project_size", "media_items", ["project_id", "file_size", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in SEARCHED:
            op.create_index(
                f"ix_media_items_{column}_trigrams",
                "media_items",
                [sa.text(f"lower({column}) gin_trgm_ops")],
                postgresql_using="gin",
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for column in SEARCHED:
            op.drop_index(f"ix_media_items_{column}_trigrams", table_name="media_items")
    op.drop_index("ix_media_items_project_size", table_name="media_items")
    op.drop_index("ix_media_items_project_name", table_name="media_items")
    op.drop_index("ix_media_items_project_folder_newest", table_name="media_items")
    op.drop_index("ix_media_items_project_duplicates_newest", table_name="media_items")
    with op.batch_alter_table("media_items", schema=None) as batch_op:
        batch_op.drop_column("has_duplicates")
