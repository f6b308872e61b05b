"""alerts.toml at start (clear ConfigErrors), the analysis hook on a real seeded store, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from radar.alerts.service import enqueue_run_alerts
from radar.config_files import default_config_text
from radar.errors import ConfigError
from radar.settings import load_config
from tests.api_seed import make_test_radar, seed
from tests.conftest import run_cli
from tests.test_alerts_delivery import Hook, Reply, hook  # noqa: F401  (the fixture)


def _alerts(home: Path, text: str) -> None:
    (home / "config" / "alerts.toml").write_text(text, encoding="utf-8")


def test_default_alerts_toml_is_valid_and_sends_nowhere(home: Path) -> None:
    _alerts(home, default_config_text("alerts.toml"))
    alerts = load_config(home, {}).alerts
    assert alerts.destination == () and {rule.on for rule in alerts.rule} == {
        "state",
        "theme",
        "opportunity",
        "risk",
        "source",
    }


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        (
            '[[destination]]\nname = "s"\nurl = "hooks.slack.com/x"\n',
            "destination[0].url",
            "not an http(s) URL",
        ),
        ('[[destination]]\nname = "s"\nurl = "ftp://x.org/"\n', "destination[0].url", "not an http(s) URL"),
        (
            '[[destination]]\nname = "s"\nurl = "http://127.0.0.1:9/x"\n',
            "destination[0].url",
            "ALLOW_PRIVATE",
        ),
        ('[[rule]]\nname = "r"\non = "weather"\n', "rule[0]", "state"),
        ('[[rule]]\nname = "r"\non = "state"\nto = ["trending"]\n', "rule[0].state.to", "not a state"),
        ('[[rule]]\nname = "r"\non = "state"\ndestinations = ["nope"]\n', "(top level)", "not a destination"),
        ('quiet_hours = { start = "25:00", end = "07:00" }\n', "quiet_hours.start", "time of day"),
        ('timezone = "Mars/Olympus"\n', "timezone", "IANA"),
        ('cooldown = "soon"\n', "cooldown", "duration"),
        ("colour = 1\n", "colour", "unknown key"),
    ],
)
def test_invalid_alerts_config_is_a_clear_error_at_start(home: Path, text: str, key: str, words: str) -> None:
    _alerts(home, text)
    with pytest.raises(ConfigError) as caught:
        load_config(home, {})
    assert caught.value.file is not None and caught.value.file.endswith("alerts.toml")
    assert caught.value.key == key
    assert words in caught.value.message


def test_private_destination_allowed_with_the_setting(home: Path) -> None:
    _alerts(home, '[[destination]]\nname = "s"\nurl = "http://127.0.0.1:9/x"\n')
    assert load_config(home, {"RADAR_FETCH_ALLOW_PRIVATE": "true"}).alerts.destination[0].name == "s"


def test_invalid_slack_webhook_setting_is_a_config_error(home: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(home, {"RADAR_SLACK_WEBHOOK_URL": "not a url"})
    assert caught.value.key == "RADAR_SLACK_WEBHOOK_URL"
    config = load_config(home, {"RADAR_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/x"})
    assert [(d.name, d.kind) for d in config.alerts.destination] == [("slack", "slack")]


def test_run_alerts_recorded_once_with_examples(home: Path) -> None:
    _alerts(home, '[[rule]]\nname = "rising"\non = "state"\n')
    radar = make_test_radar(home, {})
    try:
        seed(radar)
        run = radar.store.latest_run()
        assert run is not None
        added = enqueue_run_alerts(radar.store, radar.config, run, run.as_of)
        assert added > 0
        assert enqueue_run_alerts(radar.store, radar.config, run, run.as_of) == 0  # never twice
        rows = radar.alerts()
        keys = {row["dedupe_key"] for row in rows}
        assert f"t-thrift:weak->emerging:{run.id}" in keys
        assert all(row["status"] == "stored" for row in rows)  # no destination configured
        thrift = next(row for row in rows if row["topic_id"] == "t-thrift")
        examples = thrift["facts"]["examples"]
        assert 1 <= len(examples) <= 3 and all(e["url"].startswith("https://") for e in examples)
    finally:
        radar.close()


def test_cli_alerts_test_retries_a_429_and_lists_it(home: Path, hook: Hook) -> None:  # noqa: F811
    hook.script = [Reply(429, {"Retry-After": "1"})]
    env = {"RADAR_FETCH_ALLOW_PRIVATE": "true"}
    done = run_cli("alerts", "test", "--webhook", hook.url, home=home, env=env)
    assert done.returncode == 0, done.stderr
    assert "sent after 2 attempt(s)" in done.stdout
    assert len(hook.received) == 2 and hook.received[1]["blocks"][0]["type"] == "header"
    listed = run_cli("alerts", "--json", home=home, env=env)
    rows = json.loads(listed.stdout)
    assert rows[0]["status"] == "sent" and rows[0]["attempts"] == 2


def test_cli_alerts_test_refuses_loopback_without_the_setting(home: Path, hook: Hook) -> None:  # noqa: F811
    done = run_cli("alerts", "test", "--webhook", hook.url, home=home)
    assert done.returncode == 1 and "loopback" in done.stderr
    assert hook.received == []
    bad = run_cli("alerts", "test", "--webhook", "nope", home=home)
    assert bad.returncode == 2 and "http(s)" in bad.stderr
