"""When marketing may go out for a shop: quiet hours and the legal send window, in local time.

Both are wall-clock rules in the shop's IANA zone. Times are computed on local dates
and converted to UTC at the end, so a window across midnight or a DST change still
opens at the local minute the merchant (or the law) named.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True)
class SendingHours:
    zone: ZoneInfo
    #: Local [start, end) when nothing is sent (the shop's quiet hours); may cross midnight.
    quiet: tuple[time, time] | None = None
    #: Local [start, end) outside which nothing is sent (the compliance profile's window).
    window: tuple[time, time] | None = None

    @classmethod
    def for_shop(cls, shop, shop_settings: dict, send_window) -> "SendingHours":
        quiet = shop_settings.get("quiet_hours") or {}
        quiet_span = None
        if quiet.get("enabled"):
            quiet_span = (_parse(quiet.get("start"), time(21)), _parse(quiet.get("end"), time(8)))
        return cls(
            zone=_zone(shop.timezone),
            quiet=quiet_span,
            window=tuple(_parse(t, None) for t in send_window) if send_window else None,
        )

    def permits(self, local: time) -> bool:
        if self.quiet and _inside(local, *self.quiet):
            return False
        return self.window is None or _inside(local, *self.window)

    def reason(self, local: time) -> str:
        return "quiet_hours" if self.quiet and _inside(local, *self.quiet) else "send_window"

    def local(self, utc: datetime) -> datetime:
        return utc.replace(tzinfo=UTC).astimezone(self.zone)

    def next_allowed(self, utc: datetime) -> datetime:
        """`utc` itself when sending is allowed then, else the first allowed local minute after it (naive UTC)."""
        if self.permits(self.local(utc).time()):
            return utc
        openings = [span[1] for span in (self.quiet,) if span] + [span[0] for span in (self.window,) if span]
        today = self.local(utc).date()
        candidates = []
        for days in range(3):
            for opening in openings:
                moment = _utc(datetime.combine(today + timedelta(days=days), opening), self.zone)
                # A local time that a DST jump skipped lands an hour later; check the real local minute.
                if moment > utc and self.permits(self.local(moment).time()):
                    candidates.append(moment)
        return min(candidates) if candidates else utc + timedelta(days=1)

    def day_start(self, utc: datetime) -> datetime:
        """Naive UTC of the local midnight that began `utc`'s local day."""
        return _utc(datetime.combine(self.local(utc).date(), time(0)), self.zone)

    def next_day(self, utc: datetime) -> datetime:
        return _utc(datetime.combine(self.local(utc).date() + timedelta(days=1), time(0)), self.zone)


def _inside(moment: time, start: time, end: time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def _utc(local: datetime, zone: ZoneInfo) -> datetime:
    return local.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def _parse(value, default: time | None) -> time | None:
    if isinstance(value, time):
        return value
    try:
        hours, minutes = str(value).split(":")
        return time(int(hours), int(minutes))
    except (TypeError, ValueError):
        return default


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
