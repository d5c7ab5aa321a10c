"""DKIM signatures (RFC 6376): RSA-SHA256, relaxed/relaxed, made with dkimpy's canonicalization.

dkimpy parses the message, canonicalizes body and headers and selects the signed headers
exactly as its verifier (and Gmail's) will; the RSA step is done by `cryptography` (OpenSSL),
because dkimpy's pure-Python RSA costs ~17 ms an email, more than everything else together.
The tests verify every signature with dkimpy against the public key.
"""

import base64
import hashlib
import os
import time
from functools import lru_cache

import dkim
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from dkim.canonicalization import Relaxed

#: Signed when present, in this order (INTERFACE.md names the first seven). Listing From twice
#: would stop a second From being added in transit; one is enough for the relays we use.
SIGNED = (
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
    b"reply-to",
    b"mime-version",
    b"content-type",
)


class DKIMConfigError(ValueError):
    """The DKIM settings cannot sign (no RSA key, unreadable file, bad selector or domain)."""


class Signer:
    def __init__(self, private_key_pem: bytes, selector: str, domain: str):
        try:
            key = serialization.load_pem_private_key(private_key_pem, password=None)
        except (ValueError, TypeError) as error:
            raise DKIMConfigError(f"DKIM_PRIVATE_KEY is not a PEM private key: {error}") from None
        if not isinstance(key, rsa.RSAPrivateKey):
            raise DKIMConfigError("DKIM_PRIVATE_KEY must be an RSA key (rsa-sha256)")
        for name, value in (("DKIM_SELECTOR", selector), ("DKIM_DOMAIN", domain)):
            if not value or not all(part.replace("-", "").replace("_", "").isalnum() for part in value.split(".")):
                raise DKIMConfigError(f"{name} must be a DNS name, got {value!r}")
        self.key, self.selector, self.domain = key, selector.encode(), domain.lower().encode()

    def header(self, message: bytes) -> bytes:
        """The `DKIM-Signature:` header line (CRLF-terminated) to put in front of `message`."""
        headers, body = dkim.rfc822_parse(message)
        body_hash = base64.b64encode(hashlib.sha256(Relaxed.canonicalize_body(body)).digest())
        present = {name.lower() for name, _ in headers}
        signed = [name for name in SIGNED if name in present]
        tags = [
            (b"v", b"1"),
            (b"a", b"rsa-sha256"),
            (b"c", b"relaxed/relaxed"),
            (b"d", self.domain),
            (b"s", self.selector),
            (b"t", str(int(time.time())).encode()),
            (b"h", b":".join(signed)),
            (b"bh", body_hash),
            (b"b", b""),
        ]
        # One tag a line: folded only where a space may be, so relaxed canonicalization
        # reads back exactly what was signed.
        value = b" " + b";\r\n\t".join(name + b"=" + content for name, content in tags)
        digest = hashlib.sha256()
        dkim.hash_headers(
            digest, Relaxed, Relaxed.canonicalize_headers(headers), signed, (b"DKIM-Signature", value), None
        )
        signature = base64.b64encode(
            self.key.sign(digest.digest(), padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
        )
        folded = b"\r\n\t".join(signature[i : i + 72] for i in range(0, len(signature), 72))
        return b"DKIM-Signature:" + value + folded + b"\r\n"

    def sign(self, message: bytes) -> bytes:
        return self.header(message) + message

    def public_record(self) -> str:
        """The TXT record to publish at `{selector}._domainkey.{domain}`."""
        der = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return f"v=DKIM1; k=rsa; p={base64.b64encode(der).decode()}"

    @property
    def record_name(self) -> str:
        return f"{self.selector.decode()}._domainkey.{self.domain.decode()}"


def from_config(config) -> Signer | None:
    """The app's signer when DKIM_PRIVATE_KEY, DKIM_SELECTOR and DKIM_DOMAIN are all set, else None."""
    key, selector, domain = (config.get(name) for name in ("DKIM_PRIVATE_KEY", "DKIM_SELECTOR", "DKIM_DOMAIN"))
    if not (key and selector and domain):
        return None
    return _signer(key, selector, domain)


@lru_cache(maxsize=4)
def _signer(key: str, selector: str, domain: str) -> Signer:
    return Signer(read_key(key), selector, domain)


def read_key(value: str) -> bytes:
    """PEM text, or the path of a PEM file."""
    if "-----BEGIN" in value:
        return value.replace("\\n", "\n").encode()
    try:
        with open(os.path.expanduser(value), "rb") as file:
            return file.read()
    except OSError as error:
        raise DKIMConfigError(f"DKIM_PRIVATE_KEY: cannot read {value!r}: {error.strerror}") from None
