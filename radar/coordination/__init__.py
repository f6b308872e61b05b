"""How several workers share one store (and one Redis) without doing a job twice.

Three kinds of shared work, three mechanisms:

**Source fetches: a claim in the store.** Every worker schedules every source; when a source's job
fires, the worker first claims the due slot with one conditional update::

    UPDATE sources SET next_due_at = :now + :lease
    WHERE name = :name AND (next_due_at IS NULL OR next_due_at <= :now)

One row updated: this worker fetches, and the fetch's outcome then stores the real next due time. No
row: another worker holds the slot (``next_due_at`` is its lease end) or has already fetched it
(``next_due_at`` is the next due time); either way the job moves to the stored time and tries again
then. We claim in the store rather than with a Redis lock because the due time already lives there: a
Redis lock would need a second, separate check that the slot is still due (and a window between the
two); the conditional update is the check and the lock at once, it is atomic on PostgreSQL (a
concurrent update waits on the row and re-reads it) and on SQLite (writers are serialised), and it works
without Redis. Who holds the claim is written beside it in ``leases`` (``source:<name>``), for
diagnostics. A worker killed mid-fetch never writes the outcome: ``next_due_at`` stays at its lease end,
and once that passes the next worker whose job fires claims and fetches the source, once. The lease
(``worker_lease_s``) must outlast a fetch, so it is refused unless longer than ``fetch_deadline_s``.

**The analysis: a lease-based lock.** In Redis when it is configured (``SET NX PX`` with a random token,
renewed and released by Lua scripts that compare the token first), else in the store's ``leases`` table
(the same semantics with conditional SQL). Every worker's analysis job fires at the same epoch-aligned
times; each firing takes the ``analysis`` lock (one analysis at a time, across hosts) and then marks the
schedule slot (``analysis:<slot start>``) so that the slot runs once however many workers fire. The
holder renews its lease every third of it while the analysis runs; a killed holder stops renewing, so
the lock is free after one lease and the next slot runs normally (the killed slot is not retried: its
marker stays until the slot is over, which is what keeps a slot from running twice).

**Embedding: a queue** (:mod:`radar.embed_queue`): Redis Streams with a consumer group, when Redis is
configured; without it, the analysis embeds what is pending in-process, as on a single machine.

Clocks: claims and leases compare against the worker's own clock, so hosts should keep time with NTP.
Skew never breaks the one-fetch-per-slot rule (the claim is atomic whatever the time), it only moves
fetches earlier or later by the skew.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Protocol

from radar.errors import RadarError

log = logging.getLogger(__name__)


class Locks(Protocol):
    """Named locks with a lease. Contract, kept by both implementations and checked by the same tests:

    - ``acquire`` succeeds for one holder at a time per name; it fails while another holder's lease runs,
      and succeeds again once that lease has expired (whether or not it was released);
    - ``renew`` and ``release`` act only when ``holder`` still holds the name, and say whether it did;
    - a backend failure raises a :class:`radar.errors.RadarError` (``CacheError`` for Redis,
      ``StoreError`` for the store).
    """

    def acquire(self, name: str, holder: str, ttl_s: float) -> bool: ...

    def renew(self, name: str, holder: str, ttl_s: float) -> bool: ...

    def release(self, name: str, holder: str) -> bool: ...

    def holder(self, name: str) -> str | None: ...


def new_holder_id() -> str:
    """A name for this process that is unique across hosts and restarts, and says where it runs."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def process_owner() -> str:
    """``host:pid`` of this process: what :func:`process_gone` can check later, from another process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def process_gone(owner: str) -> bool:
    """Whether ``owner`` (``host:pid``) is a process of this host that no longer runs.

    False whenever that cannot be known: another host, this very process, or a name that is not
    ``host:pid``. A reused pid reads as alive, which only delays the verdict.
    """
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # it exists (PermissionError: another user's)
    return False


def analysis_slot(now: datetime, interval_s: int) -> int:
    """The start (epoch seconds) of the analysis schedule slot ``now`` falls in.

    Slots are aligned on the epoch so that every worker, started whenever, agrees on them.
    """
    return int(now.timestamp()) // interval_s * interval_s


@contextmanager
def renewing(locks: Locks, name: str, holder: str, ttl_s: float) -> Iterator[None]:
    """Keep ``name``'s lease alive while the block runs, renewing it every third of ``ttl_s``.

    A renewal that finds the lock gone (the process stalled past its lease) is logged, not raised: the
    work cannot be stopped half-way from another thread, and the store's own writes stay consistent.
    """
    done = threading.Event()

    def renew() -> None:
        while not done.wait(ttl_s / 3):
            try:
                if not locks.renew(name, holder, ttl_s):
                    log.warning("lost the %s lock while holding it (lease %.0f s)", name, ttl_s)
                    return
            except RadarError as exc:
                log.warning("could not renew the %s lock: %s", name, exc)

    thread = threading.Thread(target=renew, name=f"renew {name}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


__all__ = ["Locks", "analysis_slot", "new_holder_id", "process_gone", "process_owner", "renewing"]
