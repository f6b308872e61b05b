"""The reliability and security suite (marker ``reliability``; ``make test-reliability``).

Every test here tries one thing that goes wrong in production (a service outage, a crash, hostile input, a
missing key, load) and records what happened with its figures through the ``reliability`` fixture. The lines
recorded in a run become the table in docs/RELIABILITY.md (``tests/reliability/table.py``), so the document
shows what was measured, not what was hoped. A test of this suite that records nothing fails: a case without
a figure is not a case.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
# Where the recorded lines go: one JSON object per line, appended (one file can collect several runs).
DEFAULT_REPORT = HERE.parents[1] / "test-artifacts" / "reliability.jsonl"
REPORT = Path(os.environ.get("VIGIE_RELIABILITY_REPORT", DEFAULT_REPORT))

Figure = float | int | str | bool
Record = Callable[..., None]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Everything under this folder is part of the suite, whether or not its module says so.
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.reliability)


@pytest.fixture
def reliability(request: pytest.FixtureRequest) -> Iterator[Record]:
    """``reliability(case, outcome, **figures)`` records one line of the table for this test.

    ``case`` says what was tried ("Redis stopped during a run, then restarted"), ``outcome`` what happened
    ("API answered 200 from the store for 40/40 requests; cache rebuilt on the first read after restart"),
    and ``figures`` the numbers behind it (seconds, bytes, counts), named with their unit.
    """
    area = request.node.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    lines: list[dict[str, object]] = []

    def record(case: str, outcome: str, **figures: Figure) -> None:
        for name, value in figures.items():
            if not isinstance(value, float | int | str | bool):
                kind = type(value).__name__
                raise TypeError(f"figure {name!r} of {case!r} is a {kind}, not a number or text")
        lines.append(
            {"area": area, "test": request.node.nodeid, "case": case, "outcome": outcome, "figures": figures}
        )

    yield record
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        return  # the failure says what happened; a half-recorded case is not written
    if not lines:
        pytest.fail(f"{request.node.nodeid} recorded no line for docs/RELIABILITY.md")
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    with REPORT.open("a", encoding="utf-8") as out:
        for line in lines:
            out.write(json.dumps(line, sort_keys=True) + "\n")


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    # Keep each phase's report on the item so that the fixture above knows whether the test failed.
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)
