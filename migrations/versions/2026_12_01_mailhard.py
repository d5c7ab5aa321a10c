"""Mail at scale and hardened: shop ids never reused on SQLite; bounce counts per address.

Revision ID: mailhard
"""

from alembic import op

revision = "mailhard"
down_revision = "8ffa69183c2a"
branch_labels = None
depends_on = None


def upgrade():
    # SQLite hands a deleted row's id to the next row unless the table is AUTOINCREMENT; links
    # signed with a redacted shop's id must never reach another shop. (PostgreSQL: a sequence.)
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("shops", recreate="always", table_kwargs={"sqlite_autoincrement": True}):
            pass


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("shops", recreate="always", table_kwargs={"sqlite_autoincrement": False}):
            pass
