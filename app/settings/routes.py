"""Placeholder until this package's routes land."""


def init_app(app):
    pass
