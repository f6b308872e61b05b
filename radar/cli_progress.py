"""Rich progress bars for the terminal (the CLI's side of :class:`radar.progress.Progress`)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


class RichProgress:
    def __init__(self, console: Console) -> None:
        self._console = console
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def start(self, label: str, total: int | None) -> None:
        self.done()
        self._bar = Progress(
            TextColumn("{task.description:<12}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self._console,
            transient=False,
        )
        self._bar.start()
        self._task = self._bar.add_task(label, total=total)

    def advance(self, amount: int = 1) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task, amount)

    def done(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
            self._task = None
