"""Placeholder until install lands."""


def init_app(app):
    pass
