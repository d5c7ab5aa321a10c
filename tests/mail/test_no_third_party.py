"""Emails load nothing from third parties: no web fonts, no trackers but our own."""

from pathlib import Path

SNAPSHOTS = Path(__file__).parent / "snapshots"


def test_no_email_loads_web_fonts_from_google():
    htmls = list(SNAPSHOTS.glob("*.html"))
    assert htmls
    for html in htmls:
        assert "fonts.googleapis" not in html.read_text(), html.name
