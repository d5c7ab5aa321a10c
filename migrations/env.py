"""Alembic environment: the app's engine and metadata, online migrations only."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

if context.config.config_file_name:
    # Keep loggers configured by the app (and pytest's capture) working.
    fileConfig(context.config.config_file_name, disable_existing_loggers=False)
log = logging.getLogger("alembic.env")

database = current_app.extensions["migrate"].db


def skip_empty_autogenerate(_context, _revision, directives):
    """`flask db migrate` with no model change writes no empty revision."""
    if getattr(context.config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        log.info("No changes in schema detected.")


def run_migrations_online() -> None:
    options = {"compare_type": True, **current_app.extensions["migrate"].configure_args}
    options.setdefault("process_revision_directives", skip_empty_autogenerate)
    with database.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=database.metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run `flask --app app db upgrade`")
run_migrations_online()
