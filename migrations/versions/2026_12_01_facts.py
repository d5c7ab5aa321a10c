"""Customer and product facts, and the answers customers give.

Birthdays (`facts.birth_date`), product type, tags, handle and description excerpt, an order's
processed, paid and fulfilled times, and the `answers` table (survey answers per email).

Revision ID: facts
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "facts"
down_revision = "8ffa69183c2a"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "answers",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("send_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=True),
        sa.Column("question", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.String(length=32), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_answers_shop_id_shops"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("shop_id", "send_id", name=op.f("pk_answers")),
    )
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_answers_shop_question_answered", ["shop_id", "question", "answered_at"], unique=False
        )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("birth_date", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("birth_date_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("processed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("paid_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("fulfilled_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("product_type", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("tags", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("handle", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("excerpt", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("excerpt")
        batch_op.drop_column("handle")
        batch_op.drop_column("tags")
        batch_op.drop_column("product_type")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("fulfilled_at")
        batch_op.drop_column("paid_at")
        batch_op.drop_column("processed_at")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("birth_date_at")
        batch_op.drop_column("birth_date")
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_index("ix_answers_shop_question_answered")
    op.drop_table("answers")
