"""Property tests of collectors.normalize: whatever a feed sends, the helpers keep their promises."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlsplit

from hypothesis import example, given
from hypothesis import strategies as st

from collectors.normalize import canonical_url, detect_lang, html_to_text, parse_date, to_utc

KNOWN_LANGS = {"en", "fr", "de", "es", "it"}
TRACKING = ["utm_source", "utm_medium", "UTM_Campaign", "fbclid", "gclid", "mc_cid", "mc_eid", "ref"]

keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8).filter(
    lambda k: not k.startswith("utm_") and k not in TRACKING
)
values = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-.%", max_size=8)
hosts = st.from_regex(r"[a-z][a-z0-9-]{0,10}(\.[a-z]{2,5}){1,2}", fullmatch=True)
paths = st.from_regex(r"(/[A-Za-z0-9._~-]{0,8}){0,4}", fullmatch=True)
params = st.lists(st.tuples(keys, values), max_size=5, unique_by=lambda kv: kv[0])


def build(scheme: str, host: str, path: str, pairs: list[tuple[str, str]], fragment: str = "") -> str:
    query = "&".join(f"{k}={v}" for k, v in pairs)
    return f"{scheme}://{host}{path}" + (f"?{query}" if query else "") + (f"#{fragment}" if fragment else "")


@given(st.text())
@example("http://example.org/page #top")  # found by this test: the space before "#" survived once
def test_canonical_url_raises_only_value_error_and_is_idempotent(url: str) -> None:
    try:
        once = canonical_url(url)
    except ValueError:
        return
    assert canonical_url(once) == once


@given(
    st.sampled_from(["http", "https", "HTTPS"]),
    hosts,
    paths,
    params,
    st.lists(st.tuples(st.sampled_from(TRACKING), values), max_size=3),
    st.text(max_size=10),
    st.randoms(use_true_random=False),
)
def test_canonical_url_drops_tracking_and_fragment_and_ignores_order(
    scheme: str,
    host: str,
    path: str,
    pairs: list[tuple[str, str]],
    tracking: list[tuple[str, str]],
    fragment: str,
    rng: object,
) -> None:
    import random

    assert isinstance(rng, random.Random)
    shuffled = pairs + tracking
    rng.shuffle(shuffled)
    plain = canonical_url(build(scheme, host, path, pairs))
    noisy = canonical_url(build(scheme, host.upper(), path, shuffled, fragment.replace("#", "")))
    assert noisy == plain
    parts = urlsplit(noisy)
    assert parts.fragment == ""
    kept = {key.lower() for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    assert not any(key.startswith("utm_") or key in {t.lower() for t in TRACKING} for key in kept)


# Text between the tags holds no "<": "<?<script>x</script>" is a bogus comment then visible "x", in a
# browser as here, so a stray "<" would make "script content" mean nothing.
safe_text = st.text(alphabet=st.characters(exclude_characters="<"), max_size=20)
html_bits = st.one_of(
    safe_text,
    st.sampled_from(["<p>", "</p>", "<br/>", "<b>", "</b>", "&amp;", "&lt;", "&#0;", "&#x1F;", "<div>"]),
    st.just("\x00"),
    safe_text.map(lambda body: f"<script>SECRET{body}</script>"),
    safe_text.map(lambda body: f"<style>SECRET{body}</style>"),
)


@given(st.lists(html_bits, max_size=12).map("".join))
def test_html_to_text_is_clean_and_idempotent(html: str) -> None:
    text = html_to_text(html)
    # The output is text: "&lt;b&gt;" gives "<b>", which read again as HTML is a tag. Only output
    # free of markup characters can be fed back unchanged.
    assert html_to_text(text) == text or "<" in text or "&" in text
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in text)
    assert text == text.strip()


@given(st.lists(html_bits, max_size=12).map("".join))
def test_script_and_style_content_never_survives(html: str) -> None:
    assert "SECRET" not in html_to_text(html)


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=200))
def test_html_to_text_of_plain_text_only_collapses_spaces(text: str) -> None:
    cleaned = html_to_text(text)
    assert html_to_text(cleaned) == cleaned or "<" in cleaned or "&" in cleaned
    assert "  " not in cleaned


@given(st.text(max_size=80))
def test_parse_date_never_raises_and_is_aware_utc(text: str) -> None:
    value = parse_date(text)
    assert value is None or value.utcoffset() == timedelta(0)


@given(st.datetimes(timezones=st.one_of(st.none(), st.timezones(), st.just(timezone(timedelta(hours=-7))))))
def test_to_utc_gives_the_same_instant_in_utc(moment: datetime) -> None:
    converted = to_utc(moment)
    assert converted.tzinfo is UTC
    if moment.tzinfo is not None and moment.utcoffset() is not None:
        # Timestamps, not ==: Python never calls a time in a DST fold equal to one in another zone.
        assert converted.timestamp() == moment.timestamp()
    else:
        assert converted.replace(tzinfo=None) == moment.replace(tzinfo=None)


@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1)))
def test_to_utc_of_a_struct_time_keeps_the_wall_clock(moment: datetime) -> None:
    converted = to_utc(time.struct_time(moment.timetuple()))
    assert converted == moment.replace(microsecond=0, tzinfo=UTC)


@given(st.datetimes(timezones=st.timezones()))
def test_parse_date_reads_iso_8601_back(moment: datetime) -> None:
    if moment.utcoffset() is None:
        return
    assert parse_date(moment.isoformat()) == moment.astimezone(UTC)


@given(st.text(max_size=300), st.one_of(st.none(), st.sampled_from(["en", "xx", "pt"])))
def test_detect_lang_returns_a_known_code_or_the_hint(text: str, hint: str | None) -> None:
    assert detect_lang(text, hint) in KNOWN_LANGS | {hint}
