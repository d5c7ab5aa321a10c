"""`flask --app app mail-check`: are the DNS records that make our mail trusted published?

Receivers (Gmail and Yahoo require it of bulk senders) check three records:
- DKIM: `{DKIM_SELECTOR}._domainkey.{DKIM_DOMAIN}` holds the public half of DKIM_PRIVATE_KEY,
  and DKIM_DOMAIN is (a parent of) the From domain, so DMARC sees them aligned;
- SPF: the envelope sender's domain (BOUNCE_DOMAIN, else the From domain) lists the servers
  that may send for it;
- DMARC: `_dmarc.{From domain}` (or of its parent domain) says what to do with mail failing both.
With BOUNCE_DOMAIN set, its MX must lead to the `inbound` server, or bounces never arrive.
Each finding says what is missing and the record to publish.
"""

from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parseaddr

import dns.exception
import dns.resolver

from app.mail import dkim_signing

#: `lookup(name, "TXT" | "MX")` -> the record strings; [] when there are none.
Lookup = Callable[[str, str], list[str]]


@dataclass(frozen=True)
class Finding:
    ok: bool
    what: str
    #: What to publish or change, when not ok.
    fix: str | None = None


class LookupFailed(RuntimeError):
    """The DNS could not be asked (timeout, no server): nothing can be said about the record."""


def dns_lookup(name: str, kind: str) -> list[str]:
    """The system resolver: TXT strings joined per record, MX hosts."""
    try:
        answer = dns.resolver.resolve(name, kind, lifetime=10)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except dns.exception.DNSException as error:
        raise LookupFailed(f"{name} {kind}: {error}") from None
    if kind == "TXT":
        return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]
    return [record.exchange.to_text().rstrip(".") for record in answer]


def check(config, lookup: Lookup | None = None) -> list[Finding]:
    lookup = lookup or dns_lookup
    from_domain = parseaddr(config["MAIL_FROM"])[1].rpartition("@")[2].lower()
    findings = [_dkim(config, from_domain, lookup)]
    findings.append(_spf(config.get("BOUNCE_DOMAIN") or from_domain, lookup))
    findings.append(_dmarc(from_domain, lookup))
    if config.get("BOUNCE_DOMAIN"):
        findings.append(_bounce_mx(config["BOUNCE_DOMAIN"], lookup))
    return findings


def _dkim(config, from_domain: str, lookup: Lookup) -> Finding:
    signer = dkim_signing.from_config(config)
    if signer is None:
        return Finding(
            False,
            "DKIM: not configured, so mail is unsigned",
            "set DKIM_PRIVATE_KEY (an RSA key of 2048 bits), DKIM_SELECTOR and DKIM_DOMAIN, then run this again",
        )
    expected = signer.public_record()
    publish = f'publish TXT {signer.record_name} "{expected}"'
    published = [_tags(record).get("p", "") for record in lookup(signer.record_name, "TXT")]
    domain = signer.domain.decode()
    aligned = from_domain == domain or from_domain.endswith("." + domain)
    if not published:
        return Finding(False, f"DKIM: no key at {signer.record_name}", publish)
    if _tags(expected)["p"] not in published:
        return Finding(False, f"DKIM: the key at {signer.record_name} is not DKIM_PRIVATE_KEY's", publish)
    if not aligned:
        return Finding(
            False,
            f"DKIM: signed for {domain}, but mail is From {from_domain}: DMARC will not count it",
            f"set DKIM_DOMAIN to {from_domain} (or a parent of it) and publish its key",
        )
    return Finding(True, f"DKIM: {signer.record_name} holds the signing key")


def _spf(domain: str, lookup: Lookup) -> Finding:
    records = [record for record in lookup(domain, "TXT") if record.lower().startswith("v=spf1")]
    publish = f'publish TXT {domain} "v=spf1 include:<your mail provider\'s SPF domain> ~all"'
    if not records:
        return Finding(False, f"SPF: no v=spf1 record at {domain}", publish)
    if len(records) > 1:
        return Finding(
            False, f"SPF: {len(records)} v=spf1 records at {domain}; receivers ignore them all", "merge them"
        )
    if records[0].split()[-1] in ("+all", "all"):
        return Finding(False, f"SPF: {domain} lets anyone send (+all)", "end the record with ~all or -all")
    return Finding(True, f"SPF: {domain} has {records[0]}")


def _dmarc(domain: str, lookup: Lookup) -> Finding:
    parent = ".".join(domain.split(".")[-2:])  # the organisational domain, for the usual two-label case
    for name in dict.fromkeys((f"_dmarc.{domain}", f"_dmarc.{parent}")):
        records = [record for record in lookup(name, "TXT") if record.upper().startswith("V=DMARC1")]
        if records:
            policy = _tags(records[0]).get("p", "none")
            return Finding(True, f"DMARC: {name} has p={policy}")
    return Finding(
        False,
        f"DMARC: no record at _dmarc.{domain}",
        f'publish TXT _dmarc.{domain} "v=DMARC1; p=none; rua=mailto:dmarc@{domain}" (then p=quarantine once reports are clean)',
    )


def _bounce_mx(domain: str, lookup: Lookup) -> Finding:
    if lookup(domain, "MX"):
        return Finding(True, f"Bounces: {domain} has an MX record")
    return Finding(
        False,
        f"Bounces: no MX record at {domain}; bounces and complaints cannot reach `flask --app app inbound`",
        f"publish MX {domain} 10 <the host running the inbound process, port 25 forwarded to INBOUND_SMTP>",
    )


def _tags(record: str) -> dict[str, str]:
    tags = {}
    for part in record.split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            tags[name.strip().lower()] = "".join(value.split())
    return tags
