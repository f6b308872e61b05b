"""Backtests: upload a JSON Lines corpus to start one (admin), poll it, fetch its results."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Request, Response, UploadFile
from fastapi.responses import StreamingResponse

from radar.api.backtest_jobs import MAX_UPLOAD_BYTES, BacktestJobs, UploadTooLarge
from radar.api.deps import AdminKey, RadarDep, ReadKey
from radar.api.models import BacktestJobList, BacktestJobOut
from radar.api.params import IsoDate
from radar.api.problems import ApiProblem, responses
from radar.store.api_queries import BacktestJob

router = APIRouter(prefix="/backtests", tags=["backtests"], responses=responses(401, 422, 429))

JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="A backtest job id.")]


def _jobs(request: Request) -> BacktestJobs:
    jobs: BacktestJobs = request.app.state.backtests
    return jobs


FORM_FIELDS = {"items", "start", "end", "every_days"}


async def _strict_form(request: Request) -> None:
    """Refuse unknown form fields and empty dates rather than ignoring them (a misspelt ``every_day``
    would silently run weekly). Starlette keeps the parsed form, so the route does not parse it twice."""
    form = await request.form()
    unknown = sorted(set(form.keys()) - FORM_FIELDS)
    if unknown:
        raise ApiProblem(
            422, f"unknown form field {unknown[0]!r} (allowed: {', '.join(sorted(FORM_FIELDS))})"
        )
    for name in ("start", "end", "every_days"):
        if form.get(name) == "":
            raise ApiProblem(422, f"{name} is empty; leave it out for the default")


def _out(job: BacktestJob) -> BacktestJobOut:
    base = f"/api/v1/backtests/{job.id}/results"
    links = {name: f"{base}/{name}" for name in ("summary", "signals", "assignments")}
    return BacktestJobOut.model_validate(
        {
            "id": job.id,
            "status": job.status,
            "params": {k: v for k, v in job.params.items() if k != "owner"},
            "created_at": job.created_at,
            "started_at": job.started_at,
            "finished_at": job.finished_at,
            "summary": job.summary,
            "error": job.error,
            "created_by": job.created_by,
            "results": links if job.status == "done" else {},
        }
    )


@router.post(
    "",
    status_code=202,
    summary="Start a backtest on an uploaded JSON Lines file (admin)",
    dependencies=[Depends(_strict_form)],
    responses=responses(403, 413),
)
def start_backtest(
    request: Request,
    response: Response,
    caller: AdminKey,
    items: Annotated[
        UploadFile, File(description="Items as JSON Lines (gzip accepted), the backtest format.")
    ],
    start: Annotated[IsoDate | None, Form(description="First as_of day (default: the first item's).")] = None,
    end: Annotated[IsoDate | None, Form(description="Last as_of day (default: the last item's).")] = None,
    every_days: Annotated[int, Form(ge=1, le=365, description="Days between as_of steps.")] = 7,
) -> BacktestJobOut:
    if start and end and end < start:
        raise ApiProblem(422, f"end {end} is before start {start}")
    head = items.file.read(2)
    items.file.seek(0)
    try:
        job = _jobs(request).submit(
            items.file, head == b"\x1f\x8b", start=start, end=end, every_days=every_days, by=caller.name
        )
    except UploadTooLarge as exc:
        raise ApiProblem(413, f"{exc} (at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB)") from exc
    response.headers["Location"] = f"/api/v1/backtests/{job.id}"
    return _out(job)


@router.get("", summary="Recent backtest jobs")
def list_backtests(radar: RadarDep, _caller: ReadKey) -> BacktestJobList:
    jobs = radar.store.backtest_jobs()
    return BacktestJobList(count=len(jobs), jobs=[_out(job) for job in jobs])


@router.get("/{job_id}", summary="A backtest job's status", responses=responses(404))
def get_backtest(request: Request, _caller: ReadKey, job_id: JobId) -> BacktestJobOut:
    return _out(_jobs(request).poll(job_id))


@router.get(
    "/{job_id}/results/{name}",
    summary="A result file of a finished backtest",
    response_class=StreamingResponse,
    responses={
        **responses(404, 409),
        200: {
            "description": "The file",
            "content": {"application/x-ndjson": {"schema": {"type": "string"}}, "application/json": {}},
        },
    },
)
def backtest_result(
    request: Request,
    _caller: ReadKey,
    job_id: JobId,
    name: Annotated[Literal["summary", "signals", "assignments"], Path(description="Which file.")],
) -> StreamingResponse:
    jobs = _jobs(request)
    job = jobs.poll(job_id)
    if job.status != "done":
        raise ApiProblem(409, f"backtest {job_id} is {job.status}, not done; poll it until it is")
    path, media_type = jobs.result_path(job_id, name)
    if not path.exists():
        raise ApiProblem(404, f"backtest {job_id} has no {name} file")

    def chunks() -> Any:
        with path.open("rb") as handle:
            while block := handle.read(1 << 16):
                yield block

    return StreamingResponse(chunks(), media_type=media_type)
