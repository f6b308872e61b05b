"""Config validation: every bad file stops with a message naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from radar.config_files import write_default_config
from radar.errors import ConfigError
from radar.settings import load_config, parse_duration


def _write(home: Path, name: str, text: str) -> Path:
    path = home / "config" / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_written_by_init_validate(tmp_path: Path) -> None:
    written = write_default_config(tmp_path / "config")
    assert {p.name for p in written} == {
        "settings.toml", "sources.toml", "brand.toml", "watch.toml", "alerts.toml"
    }
    config = load_config(tmp_path, {})
    assert config.sources and all(s.url.startswith("https://") for s in config.sources)
    assert config.profiles[0].values
    assert config.themes and config.themes[0].slug == "w-right-to-repair"
    assert config.signals.recent_days == 14
    assert config.settings.store_url.startswith("sqlite:///")


def test_init_keeps_existing_files(tmp_path: Path) -> None:
    write_default_config(tmp_path / "config")
    _write(tmp_path, "sources.toml", "")
    assert write_default_config(tmp_path / "config") == []
    assert load_config(tmp_path, {}).sources == ()


def test_environment_wins_over_file(home: Path) -> None:
    _write(home, "settings.toml", "[radar]\nanalysis_window_days = 10\n")
    assert load_config(home, {}).settings.analysis_window_days == 10
    assert load_config(home, {"RADAR_ANALYSIS_WINDOW_DAYS": "21"}).settings.analysis_window_days == 21


def test_plain_postgres_url_uses_psycopg(home: Path) -> None:
    config = load_config(home, {"RADAR_DATABASE_URL": "postgresql://u@db:5432/vigie"})
    assert config.settings.store_url == "postgresql+psycopg://u@db:5432/vigie"


@pytest.mark.parametrize(
    ("name", "text", "key", "words"),
    [
        ("settings.toml", "[radar]\nmin_topic_size = 'many'\n", "radar.min_topic_size", "integer"),
        ("settings.toml", "[radar]\nwindow = 3\n", "radar.window", "unknown key"),
        ("settings.toml", "[radar\n", None, "not valid TOML"),
        ("settings.toml", "[radar]\nanalysis_interval = 'often'\n", "radar.analysis_interval", "duration"),
        ("sources.toml", "[[source]]\nname = 'a'\n", "source[0].url", "required"),
        ("sources.toml", "[[source]]\nname = 'a'\nurl = 'ftp://x/y'\n", "source[0].url", "http(s)"),
        ("sources.toml", "[[source]]\nname = 'A B'\nurl = 'https://x/'\n", "source[0].name", "lower-case"),
        (
            "sources.toml",
            "[[source]]\nname = 'a'\nurl = 'https://x/'\ninterval = 'soon'\n",
            "source[0].interval",
            "duration",
        ),
        ("brand.toml", "[[profile]]\nname = 'b'\nvalues = []\n", "profile[0].values", "at least 1"),
        ("settings.toml", "[signals]\nweak_min_growth = 0.5\n", "signals.weak_min_growth", "greater than 1"),
        ("settings.toml", "[signal]\n", "signal", "unknown table"),
        ("watch.toml", "[[theme]]\nname = 'x'\n", "theme[0].description", "required"),
        (
            "watch.toml",
            "[[theme]]\nname = 'x'\ndescription = 'y'\nthreshold = 2\n",
            "theme[0].threshold",
            "less than or equal",
        ),
    ],
)
def test_bad_config_names_file_and_key(home: Path, name: str, text: str, key: str | None, words: str) -> None:
    path = _write(home, name, text)
    with pytest.raises(ConfigError) as info:
        load_config(home, {})
    assert info.value.file == str(path)
    assert info.value.key == key
    assert words in info.value.message


def test_duplicate_source_names_refused(home: Path) -> None:
    text = "[[source]]\nname = 'a'\nurl = 'https://x/'\n[[source]]\nname = 'a'\nurl = 'https://y/'\n"
    _write(home, "sources.toml", text)
    with pytest.raises(ConfigError, match="used twice"):
        load_config(home, {})


def test_bad_environment_variable_is_named(home: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(home, {"RADAR_FETCH_TIMEOUT_S": "-1"})
    assert (info.value.file, info.value.key) == ("environment", "RADAR_FETCH_TIMEOUT_S")
    with pytest.raises(ConfigError) as info:
        load_config(home, {"RADAR_FECTH_TIMEOUT_S": "3"})
    assert info.value.key == "RADAR_FECTH_TIMEOUT_S"


def test_parse_duration() -> None:
    assert parse_duration("45s") == 45
    assert parse_duration("30m") == 1800
    assert parse_duration("6h") == 21600
    assert parse_duration("1d") == 86400
    with pytest.raises(ValueError):
        parse_duration("1w")


def test_the_template_shows_the_signal_defaults(tmp_path: Path) -> None:
    """The template says "Defaults shown" for [signals]: every value it shows is the code's default."""
    import tomllib

    from radar.signals import SignalParams

    written = {p.name: p for p in write_default_config(tmp_path / "config")}
    shown = tomllib.loads(written["settings.toml"].read_text(encoding="utf-8"))["signals"]
    defaults = SignalParams().model_dump()
    assert shown and {key: defaults[key] for key in shown} == shown
