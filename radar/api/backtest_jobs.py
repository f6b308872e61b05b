"""Backtests started over HTTP: each runs in a background thread of the API process, one at a time.

The uploaded JSON Lines and the results live in ``RADAR_HOME/backtests/<job id>/``; the job's status
lives in the store. Clients never name a file: the job id is generated here (32 hex digits, checked by
the routes) and result files are picked from a fixed list, so no request can reach another path.
Each job records the process that runs it; a job found queued or running whose process (on this host)
is gone is reported failed when polled, since it will never finish.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from radar.coordination import process_gone, process_owner
from radar.core import Radar
from radar.errors import RadarError

log = logging.getLogger(__name__)

RESULT_FILES = {
    "signals": ("signals.jsonl", "application/x-ndjson"),
    "assignments": ("assignments.jsonl", "application/x-ndjson"),
    "summary": ("summary.json", "application/json"),
}
MAX_UPLOAD_BYTES = 512 * 1024 * 1024


class UploadTooLarge(RadarError):
    pass


class BacktestJobs:
    def __init__(self, radar: Radar) -> None:
        self.radar = radar
        self.root = radar.settings.home / "backtests"
        # One at a time: a backtest uses every core it gets, and the API must keep answering.
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="radar-backtest")

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def folder(self, job_id: str) -> Path:
        return self.root / uuid.UUID(hex=job_id).hex

    def submit(
        self,
        upload: IO[bytes],
        gzipped: bool,
        *,
        start: date | None,
        end: date | None,
        every_days: int,
        by: str | None,
    ) -> Any:
        job_id = uuid.uuid4().hex
        folder = self.folder(job_id)
        folder.mkdir(parents=True, exist_ok=True)
        items = folder / ("items.jsonl.gz" if gzipped else "items.jsonl")
        try:
            _copy_capped(upload, items, MAX_UPLOAD_BYTES)
        except UploadTooLarge:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        params = {
            "start": start.isoformat() if start else None,
            "end": end.isoformat() if end else None,
            "every_days": every_days,
            "bytes": items.stat().st_size,
            "owner": process_owner(),
        }
        job = self.radar.store.add_backtest_job(job_id, params, by)
        self._pool.submit(self._run, job_id, items, start, end, every_days)
        return job

    def _run(self, job_id: str, items: Path, start: date | None, end: date | None, every_days: int) -> None:
        from radar.backtest.runner import BacktestParams, run_backtest

        store = self.radar.store
        store.update_backtest_job(job_id, status="running", started_at=datetime.now(UTC))
        try:
            summary = run_backtest(
                items,
                self.folder(job_id) / "out",
                BacktestParams(start=start, end=end, every_days=every_days),
                self.radar.config,
                self.radar.embedder,
            )
        except Exception as exc:  # the job reports any failure; the API process carries on
            log.warning("backtest %s failed: %s", job_id, exc)
            store.update_backtest_job(
                job_id,
                status="failed",
                error=str(exc)[:2000] or type(exc).__name__,
                finished_at=datetime.now(UTC),
            )
            return
        # Error lines name the uploaded file by its server path; the client knows it as items.jsonl.
        summary["errors"] = [
            str(error).replace(str(items), items.name) for error in summary.get("errors", [])
        ]
        store.update_backtest_job(job_id, status="done", summary=summary, finished_at=datetime.now(UTC))

    def poll(self, job_id: str) -> Any:
        """The job, marked failed first if the process that ran it is gone."""
        job = self.radar.store.backtest_job(job_id)
        if job.status in ("queued", "running") and process_gone(str(job.params.get("owner", ""))):
            self.radar.store.update_backtest_job(
                job_id,
                status="failed",
                error="interrupted: the API process running it stopped",
                finished_at=datetime.now(UTC),
            )
            job = self.radar.store.backtest_job(job_id)
        return job

    def result_path(self, job_id: str, name: str) -> tuple[Path, str]:
        filename, media_type = RESULT_FILES[name]
        return self.folder(job_id) / "out" / filename, media_type


def _copy_capped(source: IO[bytes], target: Path, cap: int) -> None:
    written = 0
    with target.open("wb") as out:
        while chunk := source.read(1 << 20):
            written += len(chunk)
            if written > cap:
                raise UploadTooLarge(f"the upload is larger than {cap // (1024 * 1024)} MiB")
            out.write(chunk)
