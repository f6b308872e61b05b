"""Private Redis and PostgreSQL servers for outage tests: started, stopped and restarted by the test itself.

The shared services on the default ports are never touched; each private server listens on a free port of
127.0.0.1 with its data in a temporary folder, and is stopped (its folder removed) when the test ends.
A missing binary skips the test with the reason, except under CI, where it fails: CI installs both.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _pg_bin() -> Path:
    """Debian's server binaries (the newest installed version), or VIGIE_PG_BIN."""
    if os.environ.get("VIGIE_PG_BIN"):
        return Path(os.environ["VIGIE_PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _pg_bin()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def missing(reason: str) -> None:
    """Skip for a prerequisite this machine lacks; under CI, where it must be there, fail instead."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def wait_port(port: int, timeout_s: float, *, up: bool = True) -> float:
    """Seconds until 127.0.0.1:``port`` accepts connections (or refuses them, with ``up=False``)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                if up:
                    return time.monotonic() - started
        except OSError:
            if not up:
                return time.monotonic() - started
        time.sleep(0.05)
    raise TimeoutError(f"port {port} still {'down' if up else 'up'} after {timeout_s} s")


class PrivateRedis:
    """``redis-server`` with no persistence: a restart comes back empty, as after a crash or a flush."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Start the server; returns the seconds until it accepts connections."""
        binary = shutil.which("redis-server")
        if binary is None:
            missing("redis-server is not installed")
        assert binary is not None
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.workdir),
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return wait_port(self.port, 10)

    def stop(self) -> None:
        """SIGTERM, as a service manager stops it; waits until the port refuses connections."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None
        wait_port(self.port, 10, up=False)


@contextmanager
def private_redis(workdir: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(workdir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class PrivatePostgres:
    """A PostgreSQL cluster of our own (``initdb`` as the ``postgres`` user, trust auth), database ``vigie``.

    Its folder is made with ``tempfile`` under the system temp dir rather than in pytest's ``tmp_path``,
    whose parents are private to root and so cannot be entered by the ``postgres`` user.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="vigie-pg-"))
        self.data = self.root / "data"
        self.sockets = self.root / "run"
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/vigie"

    def _as_postgres(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        command = [str(PG_BIN / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=self.root)

    def init(self) -> None:
        if not (PG_BIN / "initdb").exists():
            missing(f"PostgreSQL server binaries not found in {PG_BIN} (set VIGIE_PG_BIN)")
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.sockets.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.sockets, "postgres", "postgres")
        done = self._as_postgres(
            "initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"
        )
        if done.returncode != 0:
            missing(f"initdb failed: {done.stderr.strip()[-500:]}")
        self.start()
        created = self._as_postgres(
            "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "vigie"
        )
        assert created.returncode == 0, created.stderr

    def start(self) -> float:
        """Start the cluster; returns the seconds until ``pg_ctl -w`` saw it accept connections."""
        options = (
            f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c shared_buffers=16MB -c max_connections=40"
        )
        started = time.monotonic()
        done = self._as_postgres(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start"
        )
        assert done.returncode == 0, f"pg_ctl start failed: {done.stdout}{done.stderr}{self.log_tail()}"
        return time.monotonic() - started

    def stop(self, mode: str = "fast") -> None:
        """``pg_ctl -m fast`` (or ``immediate``): open connections are cut, as in a real restart."""
        done = self._as_postgres("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")
        assert done.returncode == 0, f"pg_ctl stop failed: {done.stdout}{done.stderr}"

    def log_tail(self) -> str:
        log = self.root / "log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._as_postgres("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    try:
        server.init()
        yield server
    finally:
        server.destroy()


@contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` (``4m``) mounted on ``path``, unmounted afterwards: a small disk to fill up.

    Skips (fails under CI) when mounting is not permitted, as in an unprivileged container.
    """
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        missing(f"cannot mount a tmpfs on {path}: {done.stderr.strip() or done.returncode}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)
