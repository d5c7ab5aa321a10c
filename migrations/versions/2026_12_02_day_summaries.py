"""Daily summaries of the order days (app/customers/day_summaries.py).

Shops with order days from before this revision are summarised by the worker's next
"fit_purchase_model" job (`days.present` is false until they are); until then the figures are
computed from the order days themselves, as before.

Revision ID: day_summaries
"""

import sqlalchemy as sa
from alembic import op

revision = "day_summaries"
down_revision = "watermark"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "day_summaries",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("first_customers", sa.Integer(), nullable=False),
        sa.Column("singles", sa.Integer(), nullable=False),
        sa.Column("gaps", sa.LargeBinary(), nullable=False),
        sa.Column("single_gaps", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_day_summaries_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("shop_id", "day", name=op.f("pk_day_summaries")),
    )


def downgrade():
    op.drop_table("day_summaries")
