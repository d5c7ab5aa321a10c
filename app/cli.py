"""CLI commands: `worker` (the scheduler process), `tick` (one pass), `demo` (everything locally)."""

import click
from flask import Flask


def init_app(app: Flask) -> None:
    app.cli.add_command(tick_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(demo_command)


@click.command("tick")
def tick_command():
    """Run one pass of the worker: due background jobs, then every due send."""
    from app.worker import tick

    summary = tick()
    click.echo(" ".join(f"{key}={value}" for key, value in summary.items()))


@click.command("worker")
@click.option("--seconds", type=int, default=None, help="Seconds between ticks (default: TICK_SECONDS).")
def worker_command(seconds):
    """Run the scheduler until stopped."""
    from app.worker import run_forever

    run_forever(seconds)


@click.command("demo")
@click.option("--port", type=int, default=5000)
def demo_command(port):
    """SQLite, the sandbox store, a local inbox, web app and worker, on http://127.0.0.1:5000."""
    from app.demo import run

    raise SystemExit(run(port))
