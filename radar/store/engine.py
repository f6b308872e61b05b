"""Engine creation and migrations: the only place that knows SQLite from PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError

from radar.errors import StoreError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# How long opening a PostgreSQL connection keeps retrying while the server refuses or is starting up. A
# restart (upgrade, failover, `pg_ctl restart`) takes a second or two: without this, every source whose turn
# came in that window failed at once (tests/reliability/test_service_outages.py). Retrying a connect is safe,
# no statement has run yet; a server that stays down still fails, a few seconds later.
CONNECT_PATIENCE_S = 8.0


def make_engine(url: str, busy_timeout_s: float = 30.0) -> Engine:
    """An engine for ``url``; SQLite files get WAL, foreign keys and a busy timeout (``busy_timeout_s``:
    how long a write waits for another connection's write lock before "database is locked")."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": busy_timeout_s})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
    event.listen(engine, "do_connect", _patient_connect)
    return engine


def _patient_connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
    """Open a DBAPI connection, retrying with backoff for :data:`CONNECT_PATIENCE_S` while it fails."""
    deadline = time.monotonic() + CONNECT_PATIENCE_S
    delay = 0.1
    while True:
        try:
            return dialect.connect(*cargs, **cparams)
        except dialect.loaded_dbapi.OperationalError:
            if time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the API and dashboard read while the worker writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def upgrade(engine: Engine) -> None:
    """Apply every pending Alembic migration to the database behind ``engine``."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot migrate the store at {engine.url!r}: {exc}") from exc


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
