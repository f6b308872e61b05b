"""Editing ``sources.toml`` without hand editing: append or remove one ``[[source]]`` table.

Only the affected table's text changes; every other line, comments included, stays as it was. Each edit
is validated with the rules of :func:`radar.settings.load_config` before anything is written, and the file
is replaced atomically (a temporary file renamed over it), so a crash never leaves half a file behind.
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from radar.errors import ConfigError
from radar.settings import SourceConfig, SourcesFile, _first_error

_SOURCE_HEADER = re.compile(r"^\s*\[\[\s*source\s*\]\]\s*(#.*)?$")
# Keys in the order they are written; others (params, allow_private, enabled) are not offered by the CLI.
_KEY_ORDER = ("name", "kind", "url", "interval", "cron", "tags", "lang", "owned", "allow_private", "enabled")


def _toml_string(value: str) -> str:
    out = []
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to sources.toml")


def render_source(entry: Mapping[str, Any]) -> str:
    """The ``[[source]]`` table text for one entry (keys in a fixed, readable order)."""
    keys = [key for key in _KEY_ORDER if key in entry] + sorted(set(entry) - set(_KEY_ORDER))
    lines = ["[[source]]"] + [f"{key} = {_toml_value(entry[key])}" for key in keys]
    return "\n".join(lines) + "\n"


def _read(path: Path) -> tuple[str, list[dict[str, Any]]]:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=str(path)) from exc
    sources = raw.get("source", [])
    return text, list(sources) if isinstance(sources, list) else []


def _validate(path: Path, text: str) -> list[SourceConfig]:
    """The sources of ``text`` under load_config's rules (the same model), plus a known kind each."""
    from radar.collect import check_kinds

    try:
        parsed = SourcesFile.model_validate(tomllib.loads(text))
    except ValidationError as exc:
        raise _first_error(exc, str(path)) from exc
    check_kinds(parsed.source, file=str(path))
    return parsed.source


def add_sources(path: Path, entries: Sequence[Mapping[str, Any]]) -> list[SourceConfig]:
    """Append ``entries`` to ``path`` (created if missing); return them validated.

    Raises ConfigError, before writing anything, for an invalid entry or a name or URL already used.
    """
    text, existing = _read(path)
    names = {str(raw.get("name")): index for index, raw in enumerate(existing)}
    urls = {str(raw.get("url")): str(raw.get("name")) for raw in existing}
    for offset, entry in enumerate(entries):
        key = f"source[{len(existing) + offset}]"
        if entry["name"] in names:
            raise ConfigError(f"a source named {entry['name']!r} already exists", file=str(path), key=key)
        if entry["url"] in urls:
            raise ConfigError(
                f"{entry['url']!r} is already watched as source {urls[entry['url']]!r}",
                file=str(path),
                key=key,
            )
        names[entry["name"]] = len(existing) + offset
        urls[entry["url"]] = entry["name"]
    if not entries:
        return []
    separator = "" if not text.strip() else ("\n" if text.endswith("\n") else "\n\n")
    new_text = text + separator + "\n".join(render_source(entry) for entry in entries)
    validated = _validate(path, new_text)
    write_atomically(path, new_text)
    return validated[len(existing) :]


def _table_spans(lines: list[str]) -> list[tuple[int, int]]:
    """``(start, end)`` line ranges of each ``[[source]]`` table, comments directly above included and
    trailing blank or comment lines left to whatever follows."""
    headers = [i for i, line in enumerate(lines) if _SOURCE_HEADER.match(line)]
    spans: list[tuple[int, int]] = []
    for n, header in enumerate(headers):
        end = headers[n + 1] if n + 1 < len(headers) else len(lines)
        while end > header + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
            end -= 1
        start = header
        while start > 0 and lines[start - 1].lstrip().startswith("#") and (not spans or start > spans[-1][1]):
            start -= 1
        spans.append((start, end))
    return spans


def remove_source(path: Path, name: str) -> SourceConfig:
    """Remove the source named ``name`` from ``path``; return it. Other lines are kept as they were.

    Raises ConfigError when there is no such source, or when the file is laid out so that the table
    cannot be cut out cleanly (then it says to edit by hand).
    """
    text, existing = _read(path)
    index = next((i for i, raw in enumerate(existing) if raw.get("name") == name), None)
    if index is None:
        known = ", ".join(str(raw.get("name")) for raw in existing) or "none"
        raise ConfigError(f"no source named {name!r} (configured: {known})", file=str(path))
    removed = _validate(path, text)[index]
    lines = text.splitlines(keepends=True)
    spans = _table_spans(lines)
    refuse = ConfigError(
        f"cannot cut source {name!r} out of this layout; edit the file by hand", file=str(path)
    )
    if len(spans) != len(existing):
        raise refuse
    start, end = spans[index]
    before, after = "".join(lines[:start]), "".join(lines[end:])
    if before.strip():
        before = before.rstrip("\n") + "\n"
        after = "\n" + after.lstrip("\n") if after.strip() else ""
    else:
        before, after = "", after.lstrip("\n")
    new_text = before + after
    # Trust the cut only if it removed exactly that source and left the others untouched.
    if _read_text_sources(new_text) != existing[:index] + existing[index + 1 :]:
        raise refuse
    _validate(path, new_text)
    write_atomically(path, new_text)
    return removed


def _read_text_sources(text: str) -> list[Any]:
    try:
        sources = tomllib.loads(text).get("source", [])
    except tomllib.TOMLDecodeError:
        return [None]
    return list(sources) if isinstance(sources, list) else [None]


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one rename, keeping the file's permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(temp, path.stat().st_mode & 0o7777)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
