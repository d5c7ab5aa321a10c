"""Planning watermark: when each customer, order and checkout row was last written, and how far
each automation's planning has seen those writes.

Rows written before this revision keep changed_at NULL ("not since"); every automation's first
tick after it has no watermark yet and rescans its whole catch-up, so nothing is missed.

Revision ID: watermark
"""

import sqlalchemy as sa
from alembic import op

revision = "watermark"
down_revision = "mailhard"
branch_labels = None
depends_on = None

TABLES = ("customers", "orders", "checkouts")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("changed_at", sa.DateTime(), nullable=True))
        op.create_index(f"ix_{table}_shop_changed", table, ["shop_id", "changed_at"])
    with op.batch_alter_table("automation_settings") as batch:
        batch.add_column(sa.Column("changes_seen_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("rescanned_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("automation_settings") as batch:
        batch.drop_column("rescanned_at")
        batch.drop_column("changes_seen_at")
    for table in TABLES:
        op.drop_index(f"ix_{table}_shop_changed", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("changed_at")
