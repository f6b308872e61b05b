"""Collection at production grade: when each source is next due, and near-duplicate items.

``sources.cursor`` is where a paging source (a Mastodon ``min_id``, a Jetstream ``time_us``) resumes.
``sources.next_due_at`` keeps the schedule across restarts, so a restarted worker does not refetch every
source at once. ``items.simhash`` is a 64-bit fingerprint of an item's text (stored signed, as databases
have no unsigned 64-bit integer); ``items.duplicate_of`` names the earlier item an item nearly repeats,
so that a story syndicated across sources is analysed once while its spread is still counted.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("next_due_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("cursor", sa.Text))
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("simhash", sa.BigInteger))
        batch.add_column(sa.Column("duplicate_of", sa.String(32)))
    op.create_index("ix_items_duplicate_of", "items", ["duplicate_of"])
    # Near-duplicate candidates are read by fetch time since the last read (radar/store/near_cache.py).
    op.create_index("ix_items_fetched_at", "items", ["fetched_at"])


def downgrade() -> None:
    op.drop_index("ix_items_fetched_at", table_name="items")
    op.drop_index("ix_items_duplicate_of", table_name="items")
    with op.batch_alter_table("items") as batch:
        batch.drop_column("duplicate_of")
        batch.drop_column("simhash")
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("cursor")
        batch.drop_column("next_due_at")
