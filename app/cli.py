"""CLI commands: `worker` (the scheduler process), `tick` (one pass), `demo` (everything locally)."""

import click
from flask import Flask


def init_app(app: Flask) -> None:
    app.cli.add_command(tick_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(mail_check_command)
    app.cli.add_command(inbound_command)


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


@click.command("mail-check")
def mail_check_command():
    """Look up the DKIM, SPF and DMARC records our mail needs and say what is missing."""
    from flask import current_app

    from app.mail import dns_check

    try:
        findings = dns_check.check(current_app.config)
    except dns_check.LookupFailed as error:
        raise click.ClickException(f"DNS lookup failed: {error}") from None
    for finding in findings:
        click.echo(f"{'ok     ' if finding.ok else 'MISSING'} {finding.what}")
        if finding.fix:
            click.echo(f"        -> {finding.fix}")
    if not all(finding.ok for finding in findings):
        raise SystemExit(1)


@click.command("inbound")
def inbound_command():
    """Receive bounces (RFC 3464) and complaints (RFC 5965) for the bounce addresses on INBOUND_SMTP."""
    from flask import current_app

    from app.mail.inbound import serve_forever

    host, port = current_app.config["INBOUND_SMTP"]
    click.echo(f"inbound SMTP on {host}:{port}")
    serve_forever(current_app._get_current_object())
