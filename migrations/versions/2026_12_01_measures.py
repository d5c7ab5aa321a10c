"""Measures: test orders, order days (per customer and per shop) and fitted purchase models.

Order days of shops installed before this revision are built by the worker's first
"fit_purchase_model" job (it rebuilds them when a shop has orders but no days).

Revision ID: measures
"""

import sqlalchemy as sa
from alembic import op

revision = "measures"
down_revision = "facts"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("test", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "customer_days",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("revenue", sa.Numeric(14, 2), nullable=False),
        sa.Column("prev_day", sa.Date(), nullable=True),
        sa.Column("next_day", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_customer_days_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("shop_id", "customer_id", "day", name=op.f("pk_customer_days")),
    )
    op.create_index(
        "ix_customer_days_shop_day",
        "customer_days",
        ["shop_id", "day", "next_day"],
        postgresql_include=["customer_id", "prev_day", "orders", "revenue"],
    )
    op.create_index(
        "ix_customer_days_shop_first",
        "customer_days",
        ["shop_id", "day", "next_day", "orders"],
        postgresql_where=sa.text("prev_day IS NULL"),
        sqlite_where=sa.text("prev_day IS NULL"),
    )
    op.create_index(
        "ix_orders_shop_attributed",
        "orders",
        ["shop_id", "attributed_send_id"],
        postgresql_where=sa.text("attributed_send_id IS NOT NULL"),
        sqlite_where=sa.text("attributed_send_id IS NOT NULL"),
    )
    op.create_index("ix_sends_shop_automation_sent", "sends", ["shop_id", "automation", "sent_at"])
    op.create_index(
        "ix_sends_shop_automation_held_out",
        "sends",
        ["shop_id", "automation", "due_at"],
        postgresql_where=sa.text("state = 'held_out'"),
        sqlite_where=sa.text("state = 'held_out'"),
    )
    op.create_table(
        "shop_days",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("revenue", sa.Numeric(14, 2), nullable=False),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_shop_days_shop_id_shops"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("shop_id", "day", name=op.f("pk_shop_days")),
    )
    op.create_table(
        "purchase_models",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("fitted_at", sa.DateTime(), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("repeat_customers", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        *[sa.Column(name, sa.Float(), nullable=True) for name in ("r", "alpha", "a", "b", "log_likelihood")],
        *[sa.Column(name, sa.Float(), nullable=True) for name in ("p", "q", "gamma")],
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_purchase_models_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("shop_id", name=op.f("pk_purchase_models")),
    )


def downgrade():
    op.drop_table("purchase_models")
    op.drop_table("shop_days")
    op.drop_index("ix_sends_shop_automation_held_out", table_name="sends")
    op.drop_index("ix_sends_shop_automation_sent", table_name="sends")
    op.drop_index("ix_orders_shop_attributed", table_name="orders")
    op.drop_index("ix_customer_days_shop_first", table_name="customer_days")
    op.drop_index("ix_customer_days_shop_day", table_name="customer_days")
    op.drop_table("customer_days")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("test")
