"""Progress reporting seam: services report, the CLI draws bars, tests and servers ignore."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, label: str, total: int | None) -> None: ...

    def advance(self, amount: int = 1) -> None: ...

    def done(self) -> None: ...


class Silent:
    """A progress reporter that says nothing."""

    def start(self, label: str, total: int | None) -> None:
        pass

    def advance(self, amount: int = 1) -> None:
        pass

    def done(self) -> None:
        pass
