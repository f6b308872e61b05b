"""``radar backup`` and ``radar restore``: one file holding the whole store, on either backend.

SQLite: SQLite's online backup API copies the database page by page into a new file; it is consistent
even while the worker writes (WAL included), and restoring runs the same copy the other way.
PostgreSQL: ``pg_dump -Fc`` (custom format, compressed) and ``pg_restore --clean --if-exists`` into the
configured database, in one transaction. The password travels in ``PGPASSWORD``, never on a command
line that ``ps`` shows. A restored store is then migrated, so an older backup comes up at the current
schema. The two formats are told apart by their first bytes; restoring one into the other backend is
refused.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from radar.errors import StoreError
from radar.store import schema as t
from radar.store.engine import make_engine, upgrade

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
# Tables whose rows make a store "not empty": restoring over them would lose data.
_CONTENT = (t.items, t.sources, t.runs)


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    backend: str
    bytes: int


def backup(store_url: str, out: Path, *, force: bool = False) -> BackupInfo:
    """Write a consistent copy of the store at ``store_url`` to ``out`` (refused if it exists, unless
    ``force``). Raises :class:`StoreError` when the copy fails."""
    if out.exists() and not force:
        raise StoreError(f"{out} already exists; choose another name or pass --force")
    partial = out.with_name(out.name + ".partial")
    url = make_url(store_url)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        if url.get_backend_name() == "sqlite":
            _sqlite_copy(_sqlite_path(store_url), partial)
        else:
            _run(
                ["pg_dump", "--format=custom", "--no-owner", f"--file={partial}", _libpq_url(store_url)],
                store_url,
            )
        # A file at ``out`` is always a whole backup: an interrupted one stays ``.partial``.
        partial.replace(out)
        return BackupInfo(out, url.get_backend_name(), out.stat().st_size)
    except OSError as exc:  # an unwritable or missing folder, a full disk: a message, not a traceback
        _discard(partial)
        raise StoreError(f"cannot write the backup to {out}: {exc}") from exc
    except StoreError:
        # A failed copy (the disk full, pg_dump stopped) leaves a useless part that may hold the very
        # space that ran out: remove it. Only a killed process leaves a ``.partial`` behind.
        _discard(partial)
        raise


def _discard(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass  # the folder itself is the problem; the error being raised says so


def restore(store_url: str, source: Path, *, force: bool = False) -> str:
    """Replace the store at ``store_url`` with the backup ``source``; returns the backend name.

    Refuses (StoreError) a store holding items, sources or runs unless ``force``, a missing file, and a
    backup of the other backend.
    """
    if not source.is_file():
        raise StoreError(f"no backup file at {source}")
    backend = make_url(store_url).get_backend_name()
    expected = SQLITE_MAGIC if backend == "sqlite" else PGDUMP_MAGIC
    with source.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if not head.startswith(expected):
        kind = "a SQLite" if backend == "sqlite" else "a pg_dump -Fc"
        raise StoreError(
            f"{source} is not {kind} backup, which the {backend} store at {_safe(store_url)} needs"
        )
    if not force and not store_is_empty(store_url):
        raise StoreError(
            f"the store at {_safe(store_url)} is not empty; restoring would replace it (pass --force)"
        )
    if backend == "sqlite":
        _sqlite_copy(source, _sqlite_path(store_url))
    else:
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={_libpq_url(store_url)}",
                str(source),
            ],
            store_url,
        )
    engine = make_engine(store_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    return backend


def store_is_empty(store_url: str) -> bool:
    """True when the store has no tables yet, or no items, sources and runs."""
    engine = make_engine(store_url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table(t.items.name):
                return True
            return all(
                conn.execute(select(func.count()).select_from(table)).scalar_one() == 0 for table in _CONTENT
            )
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read the store at {_safe(store_url)}: {exc}") from exc
    finally:
        engine.dispose()


def _sqlite_path(store_url: str) -> Path:
    database = make_url(store_url).database
    if not database or database == ":memory:":
        raise StoreError("an in-memory SQLite store has nothing to back up or restore")
    return Path(database)


def _sqlite_copy(source: Path, target: Path) -> None:
    if not source.exists():
        raise StoreError(f"no SQLite database at {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        src = sqlite3.connect(source, timeout=30)
        try:
            dst = sqlite3.connect(target, timeout=30)
            try:
                # pages=-1: one step, so no writer can slip in between steps and force a restart.
                src.backup(dst, pages=-1)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise StoreError(f"SQLite copy from {source} to {target} failed: {exc}") from exc


def _libpq_url(store_url: str) -> str:
    """The URL without driver suffix and password, as libpq tools take it."""
    url = make_url(store_url).set(drivername="postgresql", password=None)
    return url.render_as_string(hide_password=False)


def _safe(store_url: str) -> str:
    return make_url(store_url).render_as_string(hide_password=True)


def _run(command: list[str], store_url: str) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise StoreError(f"{tool} is not installed (Debian/Ubuntu: apt install postgresql-client)")
    env = dict(os.environ)
    password = make_url(store_url).password
    if password:
        env["PGPASSWORD"] = str(password)
    try:
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=6 * 3600)
    except (OSError, subprocess.SubprocessError) as exc:
        raise StoreError(f"{tool} failed: {exc}") from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise StoreError(f"{tool} failed (exit {result.returncode}): {detail[-1] if detail else 'no output'}")
