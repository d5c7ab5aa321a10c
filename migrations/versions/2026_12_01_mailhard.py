"""Mail at scale and hardened: shop ids never reused on SQLite (AUTOINCREMENT).

Revision ID: mailhard
"""

from alembic import op

revision = "mailhard"
down_revision = "measures"
branch_labels = None
depends_on = None


def upgrade():
    # SQLite hands a deleted row's id to the next row unless the table is AUTOINCREMENT; links
    # signed with a redacted shop's id must never reach another shop. (PostgreSQL: a sequence.)
    _rebuild_shops(autoincrement=True)


def downgrade():
    _rebuild_shops(autoincrement=False)


def _rebuild_shops(autoincrement: bool) -> None:
    """SQLite rebuilds the table to change it; dropping the old `shops` would cascade-delete every
    row of every shop unless foreign keys are off, which SQLite allows only outside a transaction."""
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.get_context().autocommit_block():
        op.execute("PRAGMA foreign_keys=OFF")
        try:
            with op.batch_alter_table(
                "shops", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
            ):
                pass
        finally:
            op.execute("PRAGMA foreign_keys=ON")
