"""Placeholder until the engine lands."""


def run_once() -> dict:
    return {}
