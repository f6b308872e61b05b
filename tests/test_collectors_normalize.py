"""Unit tests of the pure normalization helpers: URLs, HTML text, dates, languages."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from collectors.normalize import (
    canonical_url,
    detect_lang,
    html_to_text,
    normalize_lang,
    parse_date,
    to_utc,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM/Path", "http://example.com/Path"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a#section-2", "https://example.com/a"),
        ("https://example.com/a?utm_source=x&utm_MEDIUM=y&id=3", "https://example.com/a?id=3"),
        ("https://example.com/a?fbclid=1&gclid=2&mc_cid=3&mc_eid=4&ref=5&igshid=6", "https://example.com/a"),
        ("https://example.com/a?b=2&a=1&c=3", "https://example.com/a?a=1&b=2&c=3"),
        # Repeated keys keep their relative order; values keep their encoding.
        ("https://example.com/a?t=2&s=%20x&t=1", "https://example.com/a?s=%20x&t=2&t=1"),
        ("https://example.com/a?flag&b=1", "https://example.com/a?b=1&flag"),
        ("https://user:pw@Example.com:443/", "https://user:pw@example.com/"),
        ("http://[2001:DB8::1]:80/x", "http://[2001:db8::1]/x"),
        ("  https://example.com/a  ", "https://example.com/a"),
        # Not a tracking parameter, only a prefix of one.
        ("https://example.com/?reference=1&utm=2", "https://example.com/?reference=1&utm=2"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_canonical_url_is_idempotent() -> None:
    once = canonical_url("HTTPS://Example.com:443/a?z=1&utm_id=9&a=2#top")
    assert canonical_url(once) == once == "https://example.com/a?a=2&z=1"


def test_canonical_url_rejects_a_bad_port() -> None:
    with pytest.raises(ValueError):
        canonical_url("http://example.com:99999/")


def test_html_to_text_drops_scripts_and_styles() -> None:
    html = "<p>Hello <b>world</b></p><script>alert('x')</script><style>p{color:red}</style><p>again</p>"
    assert html_to_text(html) == "Hello world again"


def test_html_to_text_decodes_entities() -> None:
    assert html_to_text("caf&eacute; &amp; th&#233; &lt;3 &#x2014; fin") == "café & thé <3 — fin"


def test_html_to_text_separates_blocks_and_collapses_whitespace() -> None:
    assert (
        html_to_text("<ul><li>one</li><li>two</li></ul>line<br/>break\n\n\t end") == "one two line break end"
    )


def test_html_to_text_passes_plain_text_through() -> None:
    assert html_to_text("  just   plain\ntext ") == "just plain text"


def test_control_characters_and_lone_surrogates_are_dropped() -> None:
    assert html_to_text("a\x00b\x9d c\ud800 d\x07") == "ab c d"
    assert html_to_text("<p>x\x00y</p>") == "xy"


def test_html_to_text_survives_broken_markup() -> None:
    assert html_to_text("<p>unclosed <b>bold <script>never closed") == "unclosed bold"
    assert html_to_text("") == ""


def test_to_utc_from_struct_time_is_aware_utc() -> None:
    value = to_utc(time.struct_time((2024, 2, 29, 23, 59, 60, 3, 60, 0)))
    assert value == datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC)  # leap second clamped


def test_to_utc_converts_offsets_and_assumes_utc_for_naive() -> None:
    paris = timezone(timedelta(hours=2))
    assert to_utc(datetime(2024, 6, 1, 12, 0, tzinfo=paris)) == datetime(2024, 6, 1, 10, 0, tzinfo=UTC)
    naive = to_utc(datetime(2024, 6, 1, 12, 0))
    assert naive.tzinfo is UTC and naive.hour == 12


def test_to_utc_rejects_impossible_dates() -> None:
    with pytest.raises(ValueError):
        to_utc(time.struct_time((2024, 2, 30, 0, 0, 0, 0, 0, 0)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-08T10:00:00Z", datetime(2024, 3, 8, 10, tzinfo=UTC)),
        ("2024-03-08T12:00:00+02:00", datetime(2024, 3, 8, 10, tzinfo=UTC)),
        ("Fri, 31 May 2019 12:17:58 -0700", datetime(2019, 5, 31, 19, 17, 58, tzinfo=UTC)),
        # Il Messaggero: an Italian weekday defeats RFC 822 parsers.
        ("mer, 16 nov 2022 00:38:15 +0100", datetime(2022, 11, 15, 23, 38, 15, tzinfo=UTC)),
        # NBC New York: a 12-hour clock and no zone.
        ("Sat, Dec 16 2023 02:02:33 PM", datetime(2023, 12, 16, 14, 2, 33, tzinfo=UTC)),
        ("2004-07-08 23:56:58", datetime(2004, 7, 8, 23, 56, 58, tzinfo=UTC)),
        ("not a date", None),
        ("", None),
        ("2003-12-31T25:14:55Z", None),
    ],
)
def test_parse_date(text: str, expected: datetime | None) -> None:
    assert parse_date(text) == expected


def test_detect_lang_english() -> None:
    text = "The city council said on Monday that it would not approve the plan, which was debated for months."
    assert detect_lang(text) == "en"


def test_detect_lang_french() -> None:
    text = "Le conseil municipal a annoncé lundi qu'il ne validera pas le projet, débattu depuis des mois."
    assert detect_lang(text) == "fr"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "Die Regierung hat am Montag erklärt, dass sie den Plan nicht mit den Ländern abstimmen wird.",
            "de",
        ),
        (
            "El gobierno dijo el lunes que no aprobará el plan, que se debate desde hace meses con socios",
            "es",
        ),
        (
            "Il governo ha detto che non approverà il piano, che è in discussione da mesi con gli alleati.",
            "it",
        ),
    ],
)
def test_detect_lang_other_languages(text: str, lang: str) -> None:
    assert detect_lang(text) == lang


def test_detect_lang_returns_the_hint_when_unsure() -> None:
    assert detect_lang("Kubernetes 1.30", hint="en") == "en"
    assert detect_lang("Kubernetes 1.30") is None
    assert detect_lang("", hint="fr") == "fr"
    assert detect_lang("東京で新しい展覧会が始まった", hint="ja") == "ja"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en-US", "en"),
        ("IT-it", "it"),
        ("en_US", "en"),
        ("fr", "fr"),
        ("", None),
        ("123", None),
        (None, None),
    ],
)
def test_normalize_lang(code: object, expected: str | None) -> None:
    assert normalize_lang(code) == expected
