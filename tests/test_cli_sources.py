"""``radar sources``: health from the store, and sources.toml edited without touching other lines."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from radar.domain import Item
from radar.errors import ConfigError
from radar.sources_file import add_sources, remove_source
from radar.store import SqlStore
from tests.conftest import run_cli as radar

HEADER = "# My sources: keep this comment.\n# Second line.\n\n"
TABLES = (
    '[[source]]\nname = "alpha"\nurl = "https://alpha.example/rss"  # the first one\ninterval = "2h"\n\n'
    "# beta is noisy\n"
    '[[source]]\nname = "beta"\nurl = "https://beta.example/rss"\n[source.params]\nlimit = 3\n\n'
    '[[source]]\nname = "gamma"\nurl = "https://gamma.example/rss"\ntags = ["x"]\n'
)


@pytest.fixture
def sources(home: Path) -> Path:
    path = home / "config" / "sources.toml"
    path.write_text(HEADER + TABLES, encoding="utf-8")
    return path


def _json(home: Path, *args: str) -> list[dict[str, Any]]:
    result = radar("sources", *args, "--json", home=home)
    assert result.returncode == 0, result.stderr
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def test_add_appends_one_table_and_keeps_every_other_line(home: Path, sources: Path) -> None:
    before = sources.read_text(encoding="utf-8")
    result = radar(
        "sources", "add", "delta", "https://delta.example/feed", "--cron", "0 */6 * * 1-5",
        "--tag", "eco", "--tag", "news", "--lang", "fr", "--owned", home=home,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    after = sources.read_text(encoding="utf-8")
    assert after.startswith(before)
    assert after[len(before) :] == (
        '\n[[source]]\nname = "delta"\nkind = "feed"\nurl = "https://delta.example/feed"\n'
        'cron = "0 */6 * * 1-5"\ntags = ["eco", "news"]\nlang = "fr"\nowned = true\n'
    )
    rows = {row["name"]: row for row in _json(home, "list")}
    assert list(rows) == ["alpha", "beta", "gamma", "delta"]
    assert rows["delta"]["enabled"] and rows["delta"]["configured"]


@pytest.mark.parametrize(
    ("entry", "key", "words"),
    [
        ({"name": "beta", "url": "https://new.example/rss"}, "source[3]", ["'beta' already exists"]),
        (
            {"name": "new", "url": "https://beta.example/rss"},
            "source[3]",
            ["already watched as source 'beta'"],
        ),
        (
            {"name": "new", "url": "https://n.example/", "cron": "0 6 * *"},
            "source[3].cron",
            ["'new'", "5-field"],
        ),
        (
            {"name": "new", "url": "https://n.example/", "cron": "0 6 * * *", "interval": "1h"},
            "source[3]",
            ["interval and cron"],
        ),
        ({"name": "new", "url": "not-a-url"}, "source[3].url", ["http(s)"]),
        ({"name": "Bad Name", "url": "https://n.example/"}, "source[3].name", ["lower-case"]),
        ({"name": "new", "url": "https://n.example/", "kind": "pigeon"}, "source[3].kind", ["pigeon"]),
    ],
)
def test_add_refuses_invalid_entries_before_writing(
    sources: Path, entry: dict[str, Any], key: str, words: list[str]
) -> None:
    before = sources.read_text(encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        add_sources(sources, [entry])
    assert (caught.value.file, caught.value.key) == (str(sources), key)
    assert all(word in caught.value.message for word in words), caught.value.message
    assert sources.read_text(encoding="utf-8") == before
    assert [p.name for p in sources.parent.iterdir() if p.name.startswith(".")] == []  # no temp file left


def test_cli_add_refusal_is_exit_2_naming_file_and_key(home: Path, sources: Path) -> None:
    before = sources.read_text(encoding="utf-8")
    result = radar("sources", "add", "new", "https://n.example/", "--cron", "0 6 * *", home=home)
    assert result.returncode == 2
    assert str(sources) in result.stderr and "source[3].cron" in result.stderr and "'new'" in result.stderr
    assert sources.read_text(encoding="utf-8") == before


def test_remove_cuts_only_that_table_and_keeps_its_items(home: Path, sources: Path, store_in: Any) -> None:
    store = store_in(home)
    store.sync_sources([("beta", "feed", "https://beta.example/rss")])
    now = datetime.now(UTC)
    store.add_items([Item("i1", "beta", "https://beta.example/1", "t", "x", now, now)])
    store.close()
    result = radar("sources", "remove", "beta", home=home)
    assert result.returncode == 0, result.stderr
    assert "items are kept" in result.stdout
    text = sources.read_text(encoding="utf-8")
    beta = '# beta is noisy\n[[source]]\nname = "beta"\nurl = "https://beta.example/rss"\n'
    assert text == HEADER + TABLES.replace(beta + "[source.params]\nlimit = 3\n\n", "")
    rows = {row["name"]: row for row in _json(home)}
    assert rows["beta"]["configured"] is False and rows["beta"]["next_due_at"] is None
    assert rows["beta"]["items_per_day"] == round(1 / 7, 2)
    missing = radar("sources", "remove", "beta", home=home)
    assert missing.returncode == 2 and "no source named 'beta'" in missing.stderr


@pytest.mark.parametrize("name", ["alpha", "gamma"])
def test_remove_first_and_last(sources: Path, name: str) -> None:
    remove_source(sources, name)
    text = sources.read_text(encoding="utf-8")
    assert text.startswith(HEADER) and f'name = "{name}"' not in text
    assert text.count("[[source]]") == 2 and "\n\n\n" not in text and text.endswith("\n")


def test_remove_refuses_a_layout_it_cannot_cut(sources: Path) -> None:
    sources.write_text('source = [{name = "a", url = "https://a.example/"}]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="edit the file by hand"):
        remove_source(sources, "a")


def test_add_to_a_missing_file_creates_it(tmp_path: Path) -> None:
    path = tmp_path / "config" / "sources.toml"
    (added,) = add_sources(path, [{"name": "a", "url": "https://a.example/", "tags": ['say "hi"\\\t']}])
    assert added.tags == ('say "hi"\\\t',)
    assert path.read_text(encoding="utf-8").startswith("[[source]]\n")


def test_health_after_collecting(home: Path, httpserver: HTTPServer) -> None:
    recent = datetime.now(UTC) - timedelta(hours=12)
    items = "".join(
        f"<item><title>Post {n}</title><link>https://ok.example/{n}</link>"
        f"<pubDate>{recent - timedelta(days=3 * n):%a, %d %b %Y %H:%M:%S +0000}</pubDate></item>"
        for n in range(4)  # published 0.5, 3.5, 6.5 and 9.5 days ago: three within the week
    )
    httpserver.expect_request("/ok").respond_with_data(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>ok</title>{items}</channel></rss>',
        content_type="application/rss+xml",
    )
    httpserver.expect_request("/bad").respond_with_data("no", status=404)
    (home / "config" / "sources.toml").write_text(
        f'[[source]]\nname = "ok"\nurl = "{httpserver.url_for("/ok")}"\nallow_private = true\n\n'
        f'[[source]]\nname = "bad"\nurl = "{httpserver.url_for("/bad")}"\nallow_private = true\n'
        'interval = "30m"\n\n'
        '[[source]]\nname = "off"\nurl = "https://off.example/"\nenabled = false\n',
        encoding="utf-8",
    )
    before = _json(home)
    assert [(r["name"], r["last_success_at"], r["error_streak"]) for r in before] == [
        ("ok", None, 0),
        ("bad", None, 0),
        ("off", None, 0),
    ]
    assert radar("collect", home=home).returncode == 0
    assert radar("collect", "--source", "bad", home=home).returncode == 0
    rows = {row["name"]: row for row in _json(home)}
    now = datetime.now(UTC)
    ok, bad, off = rows["ok"], rows["bad"], rows["off"]
    assert ok["last_error"] is None and ok["error_streak"] == 0 and ok["items_per_day"] == round(3 / 7, 2)
    assert now - timedelta(minutes=1) < datetime.fromisoformat(ok["last_success_at"]) <= now
    assert (
        now + timedelta(minutes=55) < datetime.fromisoformat(ok["next_due_at"]) < now + timedelta(minutes=66)
    )
    assert bad["error_streak"] == 2 and "404" in bad["last_error"] and len(bad["last_error"]) <= 80
    # Second failure in a row: due two intervals later.
    assert (
        now + timedelta(minutes=55) < datetime.fromisoformat(bad["next_due_at"]) < now + timedelta(minutes=66)
    )
    assert off["enabled"] is False and off["next_due_at"] is None
    table = radar("sources", home=home)
    assert table.returncode == 0 and "bad" in table.stdout and "404" in table.stdout


def test_opml_import_and_export(home: Path, sources: Path, tmp_path: Path) -> None:
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body><outline text="Climate">'
        '<outline type="rss" text="Alpha again" xmlUrl="https://alpha.example/rss"/>'
        '<outline type="rss" title="Carbon Brief" xmlUrl="https://carbonbrief.example/feed"/>'
        "</outline></body></opml>",
        encoding="utf-8",
    )
    result = radar("sources", "import-opml", str(opml), home=home)
    assert result.returncode == 0, result.stderr
    assert "1 sources added, 1 already watched" in result.stdout
    assert sources.read_text(encoding="utf-8").endswith(
        '\n[[source]]\nname = "carbon-brief"\nkind = "feed"\nurl = "https://carbonbrief.example/feed"\n'
        'tags = ["climate"]\n'
    )
    out_file = tmp_path / "out.opml"
    exported = radar("sources", "export-opml", "--out", str(out_file), home=home)
    assert exported.returncode == 0, exported.stderr
    document = out_file.read_text(encoding="utf-8")
    assert document.count('type="rss"') == 4 and 'xmlUrl="https://carbonbrief.example/feed"' in document
    on_stdout = radar("sources", "export-opml", home=home).stdout
    assert _undated(on_stdout) == _undated(document)


def _undated(document: str) -> str:
    return re.sub(r"<dateCreated>.*</dateCreated>", "", document)


def test_opml_import_refuses_a_dtd_and_writes_nothing(home: Path, sources: Path, tmp_path: Path) -> None:
    before = sources.read_text(encoding="utf-8")
    opml = tmp_path / "evil.opml"
    opml.write_text(
        '<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x "x">]><opml version="2.0"><body>'
        '<outline type="rss" text="&x;" xmlUrl="https://evil.example/"/></body></opml>',
        encoding="utf-8",
    )
    result = radar("sources", "import-opml", str(opml), home=home)
    assert result.returncode == 2 and "DTD" in result.stderr and str(opml) in result.stderr
    assert sources.read_text(encoding="utf-8") == before
    missing = radar("sources", "import-opml", str(tmp_path / "nope.opml"), home=home)
    assert missing.returncode == 2 and "nope.opml" in missing.stderr


def test_every_sources_command_and_option_has_help() -> None:
    import typer

    from radar.cli import app

    group: Any = typer.main.get_command(app)
    sources = group.commands["sources"]
    assert sources.help
    commands = [sources, *sources.commands.values(), group.commands["run"], group.commands["collect"]]
    for command in commands:
        assert command.help, command.name
        for param in command.params:
            assert getattr(param, "help", None), f"{command.name} {param.name} has no help"
    assert set(sources.commands) == {"list", "add", "remove", "import-opml", "export-opml"}
    assert "radar run" in group.commands["worker"].help  # the old name stays, as an alias


@pytest.fixture
def store_in() -> Any:
    from radar.store import open_store

    def opened(home: Path) -> SqlStore:
        return open_store(f"sqlite:///{home / 'radar.sqlite3'}")

    return opened
