"""Per-market rules for marketing email, chosen from the shop's country.

The law differs by where the shop trades: Vietnam's Decree 91/2020 labels every
advertising email and limits when and how often it may be sent; CAN-SPAM and the
EU rules want the sender's postal address. The merchant may pick another profile
in settings (`compliance_profile`), e.g. a US shop that mostly sells to Vietnam.
"""

from dataclasses import dataclass
from datetime import time

from app.shops.settings import effective


@dataclass(frozen=True)
class Rules:
    name: str
    #: Put at the start of every marketing subject ("[QC] " under Decree 91).
    subject_prefix: str = ""
    #: Local (shop time zone) window in which marketing may be sent, or None for any time.
    send_window: tuple[time, time] | None = None
    #: Most marketing emails one recipient may get from the shop per local day, or None.
    daily_limit: int | None = None
    #: After an opt-out, send one (non-marketing) email confirming it.
    opt_out_confirmation: bool = False


PROFILES = {
    # Decree 91/2020/ND-CP, articles 13-16.
    "vn": Rules(
        "vn", subject_prefix="[QC] ", send_window=(time(7), time(22)), daily_limit=3, opt_out_confirmation=True
    ),
    # CAN-SPAM: a valid physical postal address in every commercial email.
    "us": Rules("us"),
    # GDPR + ePrivacy + e-Commerce Directive (sender's geographic address). Consent or soft
    # opt-in is enforced by app.customers.consent; an objection is absolute (a suppression).
    "eu": Rules("eu"),
    "default": Rules("default"),
}

# EU and EEA members, plus the UK, whose PECR follows the same rules.
EUROPE = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO GB".split()
)


def profile_for_country(country_code: str | None) -> str:
    code = (country_code or "").upper()
    if code == "VN":
        return "vn"
    if code == "US":
        return "us"
    return "eu" if code in EUROPE else "default"


def rules(shop) -> Rules:
    """The rules for `shop`: the merchant's chosen profile, else the one of its country."""
    chosen = effective(shop).get("compliance_profile")
    return PROFILES.get(chosen) or PROFILES[profile_for_country(shop.country_code)]
