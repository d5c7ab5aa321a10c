"""`flask --app app mail-check` looks up DKIM, SPF and DMARC (through a fake resolver here) and names what is missing."""

import base64

import pytest

from app.mail import dns_check
from tests.mail.test_dkim import PEM, PUBLIC

KEY_RECORD = "v=DKIM1; k=rsa; p=" + base64.b64encode(PUBLIC).decode()


@pytest.fixture
def app_config():
    return {
        "MAIL_FROM": "Acme <hello@mail.acme.example>",
        "DKIM_PRIVATE_KEY": PEM,
        "DKIM_SELECTOR": "cb2026",
        "DKIM_DOMAIN": "acme.example",
        "BOUNCE_DOMAIN": "bounces.acme.example",
    }


def _resolver(monkeypatch, records: dict):
    asked = []

    def lookup(name, kind):
        asked.append((name, kind))
        return records.get((name, kind), [])

    monkeypatch.setattr(dns_check, "dns_lookup", lookup)
    return asked


COMPLETE = {
    ("cb2026._domainkey.acme.example", "TXT"): [KEY_RECORD],
    ("bounces.acme.example", "TXT"): ["v=spf1 include:amazonses.com ~all"],
    ("_dmarc.mail.acme.example", "TXT"): [],
    ("_dmarc.acme.example", "TXT"): ["v=DMARC1; p=quarantine; rua=mailto:d@acme.example"],
    ("bounces.acme.example", "MX"): ["inbound.acme.example"],
}


def test_everything_published_passes(runner, monkeypatch):
    asked = _resolver(monkeypatch, COMPLETE)
    result = runner.invoke(args=["mail-check"])
    assert result.exit_code == 0, result.output
    assert "MISSING" not in result.output and result.output.count("ok ") == 4
    assert ("cb2026._domainkey.acme.example", "TXT") in asked


def test_what_is_missing_is_named_with_the_record_to_publish(runner, monkeypatch):
    _resolver(monkeypatch, {("bounces.acme.example", "TXT"): ["google-site-verification=x"]})
    result = runner.invoke(args=["mail-check"])
    assert result.exit_code == 1
    assert "MISSING DKIM: no key at cb2026._domainkey.acme.example" in result.output
    assert KEY_RECORD in result.output  # the exact record to publish
    assert "MISSING SPF: no v=spf1 record at bounces.acme.example" in result.output
    assert "MISSING DMARC" in result.output and "_dmarc.mail.acme.example" in result.output
    assert "MISSING Bounces: no MX record at bounces.acme.example" in result.output


def test_a_stale_key_and_a_foreign_dkim_domain_are_caught(app, monkeypatch):
    stale = {
        **COMPLETE,
        ("cb2026._domainkey.acme.example", "TXT"): ["v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A"],
    }
    _resolver(monkeypatch, stale)
    [dkim, *_] = dns_check.check(app.config)
    assert not dkim.ok and "not DKIM_PRIVATE_KEY's" in dkim.what
    app.config["MAIL_FROM"] = "shop@other.example"
    _resolver(monkeypatch, COMPLETE)
    [dkim, *_] = dns_check.check(app.config)
    assert not dkim.ok and "DMARC will not count it" in dkim.what


def test_without_dkim_settings_it_says_to_set_them(app, monkeypatch):
    _resolver(monkeypatch, COMPLETE)
    for name in ("DKIM_PRIVATE_KEY", "DKIM_SELECTOR", "DKIM_DOMAIN"):
        app.config[name] = None
    [dkim, *_] = dns_check.check(app.config)
    assert not dkim.ok and "not configured" in dkim.what
