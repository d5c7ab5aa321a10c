"""The Flask extensions, created once and bound to an app in `create_app`."""

import select

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import ForeignKey, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """WAL lets the web process read while the worker writes; busy_timeout waits instead of failing;
    secure_delete zeroes what is deleted (see customers.redaction for the WAL's copies)."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted rows are overwritten, not left in free pages: redacted data must be gone.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()


@event.listens_for(Engine, "checkout")
def _replace_dead_postgres(dbapi_connection, _record, _proxy):
    """Hand out no PostgreSQL connection the server has hung up on (restart, idle timeout,
    pg_terminate_backend): the pool drops it and connects anew.

    An idle connection between transactions has nothing to read, so a readable socket means the
    server closed it (or said why, then closed it). This is pool_pre_ping without its SELECT 1,
    a round trip on every checkout that was a third of a webhook request's time.
    """
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is None:
        return  # SQLite: a file, nothing to hang up
    try:
        socket = pgconn.socket
    except Exception as error:  # psycopg raises when the connection is already known to be bad
        raise DisconnectionError(str(error)) from error
    # poll, not select: select cannot watch a descriptor numbered 1024 or more.
    watch = select.poll()
    watch.register(socket, select.POLLIN | select.POLLERR | select.POLLHUP)
    if watch.poll(0) or dbapi_connection.broken:
        raise DisconnectionError("the server closed the connection")


def shop_fk() -> ForeignKey:
    """The foreign key every shop-owned table leads its primary key with; deleting a shop deletes its rows."""
    return ForeignKey("shops.id", ondelete="CASCADE")
