"""When sources are due: pure functions of config, stored state and ``now`` (no clock, no store)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from radar.crontab import weekdays
from radar.domain import SourceState
from radar.errors import ConfigError
from radar.schedule import (
    MAX_JITTER_S,
    backoff_factor,
    first_runs,
    max_jitter_s,
    next_due_after,
    next_fetch_at,
    period_s,
)
from radar.settings import SourceConfig, load_config
from tests.conftest import utc

NOW = utc(2026, 11, 29, 12, 0, 0)


def _source(
    name: str = "s", *, interval: str | None = None, cron: str | None = None, enabled: bool = True
) -> SourceConfig:
    extra: dict[str, object] = {}
    if interval is not None:
        extra["interval"] = interval
    if cron is not None:
        extra["cron"] = cron
    return SourceConfig(name=name, url="https://x.example/feed", enabled=enabled, **extra)


def _fetched(name: str, at: datetime, *, errors: int = 0, due: datetime | None = None) -> SourceState:
    return SourceState(name, "feed", "u", last_fetch_at=at, consecutive_errors=errors, next_due_at=due)


def test_backoff_doubles_then_caps() -> None:
    assert [backoff_factor(n) for n in range(8)] == [1, 1, 2, 4, 8, 16, 16, 16]


def test_interval_due_time_with_backoff_and_jitter() -> None:
    hourly = _source(interval="1h")
    assert next_due_after(hourly, NOW, 0) == NOW + timedelta(hours=1)
    assert next_due_after(hourly, NOW, 3) == NOW + timedelta(hours=4)
    # Jitter only ever delays, by at most 10% of the period capped at 5 minutes.
    assert max_jitter_s(hourly, NOW) == MAX_JITTER_S
    assert next_due_after(hourly, NOW, 0, jitter=0.5) == NOW + timedelta(hours=1, seconds=150)
    assert max_jitter_s(_source(interval="10m"), NOW) == 60


def test_cron_due_time_skips_fire_times_on_errors() -> None:
    six_hourly = _source(cron="0 */6 * * *")
    assert period_s(six_hourly, NOW) == 6 * 3600
    assert next_due_after(six_hourly, NOW, 0) == utc(2026, 11, 29, 18)
    # A fetch exactly on a fire time is due at the next one, not again at once.
    assert next_due_after(six_hourly, utc(2026, 11, 29, 18), 0) == utc(2026, 11, 30, 0)
    # Third failure in a row: wait four fire times instead of one.
    assert next_due_after(six_hourly, NOW, 3) == utc(2026, 11, 30, 12)


def test_stored_due_time_wins_unless_config_makes_it_earlier() -> None:
    hourly = _source(interval="1h")
    assert next_fetch_at(hourly, None) is None
    assert next_fetch_at(hourly, SourceState("s", "feed", "u")) is None
    jittered = NOW + timedelta(hours=1, minutes=3)
    assert next_fetch_at(hourly, _fetched("s", NOW, due=jittered)) == jittered
    # No stored time (rows from before migration 0004): derived from the last fetch and the backoff.
    assert next_fetch_at(hourly, _fetched("s", NOW, errors=2)) == NOW + timedelta(hours=2)
    # Stored by a daily config, now hourly: the new interval applies at once (plus the jitter allowance).
    daily_due = NOW + timedelta(days=1)
    assert next_fetch_at(hourly, _fetched("s", NOW, due=daily_due)) == NOW + timedelta(hours=1, minutes=5)


def test_first_runs_resume_from_the_store() -> None:
    sources = [_source("kept", interval="1h"), _source("new", interval="1h"), _source("off", enabled=False)]
    states = {"kept": _fetched("kept", NOW - timedelta(minutes=20), due=NOW + timedelta(minutes=41))}
    runs = first_runs(sources, states, NOW, spread_above=4)
    assert runs == {"kept": NOW + timedelta(minutes=41), "new": NOW}


def test_first_runs_spread_many_due_sources_over_their_period() -> None:
    sources = [_source(f"s{i}", interval="1h") for i in range(6)]
    overdue = {"s5": _fetched("s5", NOW - timedelta(hours=3), due=NOW - timedelta(hours=2))}
    runs = first_runs(sources, overdue, NOW, spread_above=4)
    # Six due at once, more than the fetch concurrency: every ten minutes, in config order.
    assert [runs[f"s{i}"] for i in range(6)] == [NOW + timedelta(minutes=10 * i) for i in range(6)]
    few = first_runs(sources[:4], {}, NOW, spread_above=4)
    assert set(few.values()) == {NOW}


@given(
    interval_s=st.integers(min_value=1, max_value=7 * 86400),
    errors=st.integers(min_value=0, max_value=40),
    jitter=st.floats(min_value=0, max_value=1, exclude_max=True),
)
def test_due_time_is_after_the_fetch_and_bounded(interval_s: int, errors: int, jitter: float) -> None:
    source = _source(interval=f"{interval_s}s")
    due = next_due_after(source, NOW, errors, jitter)
    assert NOW + timedelta(seconds=interval_s) <= due
    assert due <= NOW + timedelta(seconds=16 * interval_s + max_jitter_s(source, NOW))


@pytest.mark.parametrize(
    ("entry", "key", "words"),
    [
        ("cron = '*/5 * * *'", "source[0].cron", ["'a'", "5-field"]),
        ("cron = '61 * * * *'", "source[0].cron", ["'a'", "61"]),
        ("cron = '0 6 * * *'\ninterval = '1h'", "source[0]", ["'a'", "interval and cron"]),
    ],
)
def test_bad_cron_is_a_config_error_naming_source_and_key(
    home: Path, entry: str, key: str, words: list[str]
) -> None:
    (home / "config" / "sources.toml").write_text(
        f"[[source]]\nname = 'a'\nurl = 'https://a.example/'\n{entry}\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(home, {})
    assert caught.value.key == key
    assert all(word in caught.value.message for word in words), caught.value.message


def test_cron_source_loads(home: Path) -> None:
    (home / "config" / "sources.toml").write_text(
        "[[source]]\nname = 'a'\nurl = 'https://a.example/'\ncron = '30 7 * * 1-5'\n", encoding="utf-8"
    )
    (source,) = load_config(home, {}).sources
    assert source.cron == "30 7 * * 1-5"
    assert next_due_after(source, utc(2026, 11, 27, 8), 0) == utc(2026, 11, 30, 7, 30)  # Friday -> Monday


@pytest.mark.parametrize(
    ("field", "names"),
    [
        ("1-5", "mon,tue,wed,thu,fri"),
        ("0", "sun"),
        ("7", "sun"),
        ("5-7", "sun,fri,sat"),
        ("*/2", "sun,tue,thu,sat"),
        ("sat,sun", "sun,sat"),
        ("0-6", "*"),
    ],
)
def test_crontab_weekdays_count_from_sunday(field: str, names: str) -> None:
    # APScheduler 3 alone would read "1-5" as Tuesday to Saturday.
    assert weekdays(field) == names


@pytest.mark.parametrize("field", ["8", "5-1", "*/0", "x"])
def test_crontab_weekdays_refuse_nonsense(field: str) -> None:
    with pytest.raises(ValueError, match=r"weekday|step|backwards"):
        weekdays(field)
