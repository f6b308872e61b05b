"""Logging setup: readable lines by default, one JSON object per line with ``log_format = "json"``.

Every process (CLI, worker, API) configures logging once, through :func:`configure_logging`, from the
settings. A JSON line carries ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, the traceback
as ``exc`` when there is one, and every field passed with ``extra={...}``, so that log collectors can
filter on them (``log.info("fetched", extra={"source": name, "items": 3})``).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

# The attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
# Libraries that log every request at INFO drown the radar's own lines.
_NOISY = ("httpx", "httpcore", "sentence_transformers", "BERTopic", "numba", "alembic")
# Servers that install handlers of their own; they must go through ours so one format holds.
_SERVERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "apscheduler")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc"] = record.exc_text
        # default=str: an extra field that JSON cannot hold (a datetime, a Path) still gets logged.
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    """Send every logger's records to stderr in ``fmt`` ("text" or "json") from ``level`` up."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in _NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    for name in _SERVERS:
        server = logging.getLogger(name)
        server.handlers[:] = []
        server.propagate = True
