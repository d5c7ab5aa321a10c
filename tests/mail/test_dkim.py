"""DKIM: every message is signed (RSA-SHA256, relaxed/relaxed) and dkimpy verifies it with the public key."""

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from app import create_app
from app.config import ConfigError
from app.mail.compose import compose
from app.mail.transport import open_mailer
from tests.conftest import SECRET_KEY
from tests.mail.conftest import cart_context

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PEM = KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()
PUBLIC = KEY.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


@pytest.fixture
def app_config(tmp_path):
    path = tmp_path / "dkim.pem"
    path.write_text(PEM)
    return {"DKIM_PRIVATE_KEY": str(path), "DKIM_SELECTOR": "cb2026", "DKIM_DOMAIN": "acme.example"}


def _dns(name, timeout=5):
    """What `cb2026._domainkey.acme.example` publishes: the key's public half."""
    import base64

    assert name == b"cb2026._domainkey.acme.example."
    return b"v=DKIM1; k=rsa; p=" + base64.b64encode(PUBLIC)


def _received(smtp, us_shop, make_send, subject="Hi {{ first_name }}, 30% off: ưu đãi"):
    send = make_send(us_shop)
    message = compose(us_shop, send, template="abandoned_cart", context=cart_context(), subject=subject)
    with open_mailer() as mailer:
        mailer.push(send.id, message)
        [delivery] = mailer.flush()
    assert delivery.status == "sent"
    return smtp.inbox.raw[-1]


def test_every_message_is_signed_and_verifies_with_the_public_key(us_shop, make_send, smtp):
    raw = _received(smtp, us_shop, make_send)
    assert dkim.verify(raw, dnsfunc=_dns)
    [signature] = [line for line in raw.split(b"\r\n\r\n")[0].split(b"\r\n") if line.startswith(b"DKIM-Signature")]
    header = raw.split(b"\r\n\r\n")[0].replace(b"\r\n\t", b" ").replace(b"\r\n ", b" ")
    tags = dict(
        part.strip().split(b"=", 1) for part in header.split(b"DKIM-Signature:")[1].split(b"\r\n")[0].split(b";")
    )
    assert tags[b"a"] == b"rsa-sha256" and tags[b"c"] == b"relaxed/relaxed"
    assert tags[b"d"] == b"acme.example" and tags[b"s"] == b"cb2026"
    signed = set(tags[b"h"].split(b":"))
    names = {b"from", b"to", b"subject", b"date", b"message-id", b"list-unsubscribe", b"list-unsubscribe-post"}
    assert names <= signed and signature


def test_a_changed_subject_or_body_no_longer_verifies(us_shop, make_send, smtp):
    raw = _received(smtp, us_shop, make_send)
    assert b"\r\nSubject: =?utf-8?" in raw
    assert not dkim.verify(raw.replace(b"\r\nSubject: ", b"\r\nSubject: FREE ", 1), dnsfunc=_dns)
    head, body = raw.split(b"\r\n\r\n", 1)
    assert b"Lan" in body
    assert not dkim.verify(head + b"\r\n\r\n" + body.replace(b"Lan", b"Lam", 1), dnsfunc=_dns)


def test_a_long_folded_subject_still_verifies(us_shop, make_send, smtp):
    raw = _received(smtp, us_shop, make_send, subject=" ".join(["Giảm giá"] * 30))
    assert dkim.verify(raw, dnsfunc=_dns)


def test_unusable_dkim_settings_stop_the_app_at_start(tmp_path):
    base = {"TESTING": True, "SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"}
    for broken in (
        {"DKIM_PRIVATE_KEY": "not a key", "DKIM_SELECTOR": "s", "DKIM_DOMAIN": "acme.example"},
        {
            "DKIM_PRIVATE_KEY": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
            "DKIM_SELECTOR": "s",
            "DKIM_DOMAIN": "acme.example",
        },
    ):
        with pytest.raises(ConfigError):
            create_app({**base, **broken})
