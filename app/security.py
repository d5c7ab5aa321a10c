"""Secrets derived from SECRET_KEY: token encryption at rest and signed URL tokens."""

import base64
import hashlib
import hmac
import json

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer


def _fernet() -> Fernet:
    # A separate key per purpose: the session-signing key never encrypts tokens.
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"comeback/access-token-encryption").derive(
        current_app.config["SECRET_KEY"].encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str | None:
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        return None


class Sealer:
    """Encrypted and authenticated JSON tokens, URL-safe and opaque.

    AES-SIV: deterministic, so one email's links are the same each time it is rendered
    (and snapshots stay stable); it reveals only that two tokens hold the same payload.
    """

    def __init__(self, key: bytes, purpose: str):
        self._siv, self._purpose = AESSIV(key), [purpose.encode()]

    def seal(self, payload) -> str:
        data = self._siv.encrypt(json.dumps(payload, separators=(",", ":")).encode(), self._purpose)
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    def open(self, token: str):
        """The payload, or None when the token is not one of ours (tampered, truncated, other key)."""
        if not token.isascii():
            return None
        try:
            data = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            return json.loads(self._siv.decrypt(data, self._purpose))
        except (InvalidTag, ValueError):
            return None


def sealer(purpose: str) -> Sealer:
    key = HKDF(algorithm=hashes.SHA256(), length=64, salt=None, info=f"comeback/seal/{purpose}".encode()).derive(
        current_app.config["SECRET_KEY"].encode()
    )
    return Sealer(key, purpose)


def serializer(purpose: str) -> URLSafeSerializer:
    """Signed tokens for links that never expire (unsubscribe must work for years)."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"comeback/{purpose}")


def timed_serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"comeback/{purpose}")


def hmac_sha256(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def same(a: str | bytes, b: str | bytes) -> bool:
    """Constant-time comparison, so a signature cannot be guessed byte by byte."""
    if isinstance(a, str):
        a = a.encode()
    if isinstance(b, str):
        b = b.encode()
    return hmac.compare_digest(a, b)
