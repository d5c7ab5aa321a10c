"""Customers: when the store created the account (`Customer.createdAt`), for the welcome email.

Rows written before this revision keep it NULL until the store states it again (a customers/update
webhook, reconciliation, a history import): such an account is not welcomed, as it is not new.

Revision ID: lifecycle2
"""

import sqlalchemy as sa
from alembic import op

revision = "lifecycle2"
down_revision = "day_summaries"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("platform_created_at", sa.DateTime(), nullable=True))
    op.create_index("ix_customers_shop_signed_up", "customers", ["shop_id", "platform_created_at"])


def downgrade():
    op.drop_index("ix_customers_shop_signed_up", table_name="customers")
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("platform_created_at")
