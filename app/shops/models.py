"""A shop is the tenant: every other table carries its `shop_id`."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.extensions import db
from app.security import decrypt, encrypt


class Shop(db.Model):
    __tablename__ = "shops"
    # SQLite would hand a deleted shop's id to the next shop (max + 1); links signed with the
    # old id must never act on another shop, so ids are never reused (PostgreSQL: a sequence).
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The permanent `*.myshopify.com` domain: the shop's identity in every Shopify message.
    domain: Mapped[str] = mapped_column(String(255), unique=True)
    #: Shopify's numeric shop id, learnt from the shop query (compliance webhooks carry it).
    platform_id: Mapped[int | None] = mapped_column(BigInteger)
    name: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    #: IANA zone; quiet hours and send windows are computed in it.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    #: Primary locale, the fallback language of emails ("en", "vi").
    locale: Mapped[str] = mapped_column(String(16), default="en")
    primary_domain: Mapped[str | None] = mapped_column(String(255))
    country_code: Mapped[str | None] = mapped_column(String(2))
    #: Billing address, printed in email footers (CAN-SPAM wants a postal address).
    address: Mapped[dict] = mapped_column(JSON, default=dict)

    #: Access and refresh tokens, Fernet-encrypted with a key derived from SECRET_KEY.
    access_token_enc: Mapped[str | None] = mapped_column(Text)
    refresh_token_enc: Mapped[str | None] = mapped_column(Text)
    token_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    refresh_token_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: Scopes the merchant actually granted (comma-separated).
    scopes: Mapped[str] = mapped_column(Text, default="")

    installed_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: Set by `app/uninstalled`; the shop stays known so compliance webhooks are still accepted.
    uninstalled_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: Merchant settings shared by all automations (sender, branding, caps); see shops.settings.
    settings: Mapped[dict] = mapped_column(JSON, default=dict)

    created_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now, onupdate=clock.now)

    @property
    def installed(self) -> bool:
        return self.uninstalled_at is None and self.access_token_enc is not None

    @property
    def access_token(self) -> str | None:
        return decrypt(self.access_token_enc) if self.access_token_enc else None

    @property
    def refresh_token(self) -> str | None:
        return decrypt(self.refresh_token_enc) if self.refresh_token_enc else None

    def set_tokens(
        self,
        access_token: str,
        refresh_token: str | None,
        expires_at: datetime | None,
        refresh_expires_at: datetime | None,
    ) -> None:
        self.access_token_enc = encrypt(access_token)
        self.refresh_token_enc = encrypt(refresh_token) if refresh_token else None
        self.token_expires_at = expires_at
        self.refresh_token_expires_at = refresh_expires_at

    def forget_tokens(self) -> None:
        self.access_token_enc = self.refresh_token_enc = None
        self.token_expires_at = self.refresh_token_expires_at = None

    def __repr__(self) -> str:
        return f"<Shop {self.domain}>"
