"""``radar doctor``: is this installation able to run? Each check is a small function returning a Check.

Config, store, cache and models are needed by every process, so a failure there makes the doctor exit 1;
a source that does not answer is a warning (sources come and go, and the worker retries them). Each
check says what is wrong in words an operator can act on, without secrets (passwords are masked).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from radar.errors import CacheError, ConfigError, FetchError, ModelError, RadarError
from radar.settings import RadarConfig, Settings, SourceConfig, load_config

if TYPE_CHECKING:
    from collectors.fetcher import Fetcher

Status = Literal["ok", "warn", "fail", "skip"]
# A failure of one of these means nothing can work: exit 1.
BLOCKING = ("config", "store", "cache", "models")
CHECKS = ("config", "store", "cache", "models", "sources")
SOURCE_TIMEOUT_S = 5.0
SOURCE_DEADLINE_S = 10.0


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: Status
    detail: str

    @property
    def blocking(self) -> bool:
        return self.name in BLOCKING

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _masked(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a SQLAlchemy URL (redis://): mask by hand
        scheme, sep, rest = url.partition("://")
        credentials, at, host = rest.rpartition("@")
        if not at or ":" not in credentials:
            return url
        return f"{scheme}{sep}{credentials.split(':', 1)[0]}:***@{host}"


def _first_line(exc: BaseException) -> str:
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__


def check_config(
    home: Path | None, environ: Mapping[str, str] | None = None
) -> tuple[Check, RadarConfig | None]:
    """Every config file and RADAR_* variable valid, every source kind known."""
    try:
        config = load_config(home, environ)
        from radar.collect import check_kinds

        check_kinds(config.sources, file=str(config.settings.config_dir / "sources.toml"))
    except ConfigError as exc:
        return Check("config", "fail", str(exc)), None
    enabled = sum(source.enabled for source in config.sources)
    return Check("config", "ok", f"{config.settings.config_dir}: valid, {enabled} sources enabled"), config


def check_store(settings: Settings) -> Check:
    """The store answers and its schema is at the migration head this code expects."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from radar.store.engine import MIGRATIONS_DIR, current_revision, make_engine

    where = _masked(settings.store_url)
    alembic = Config()
    alembic.set_main_option("script_location", str(MIGRATIONS_DIR))
    heads = set(ScriptDirectory.from_config(alembic).get_heads())
    try:
        engine = make_engine(settings.store_url)
    except (SQLAlchemyError, ImportError) as exc:
        return Check("store", "fail", f"cannot open {where}: {_first_line(exc)}")
    try:
        revision = current_revision(engine)
    except SQLAlchemyError as exc:
        return Check("store", "fail", f"cannot connect to {where}: {_first_line(exc)}")
    finally:
        engine.dispose()
    if revision is None:
        return Check("store", "fail", f"{where} has no Vigie tables yet: run `radar init`")
    if revision not in heads:
        return Check(
            "store",
            "fail",
            f"{where} is at schema {revision}, this version needs {', '.join(sorted(heads))}: "
            "run `radar init` to migrate",
        )
    return Check("store", "ok", f"{where} (schema {revision}, up to date)")


def check_cache(settings: Settings) -> Check:
    """A value written to the cache reads back (Redis when RADAR_REDIS_URL is set, else the file)."""
    from radar.bootstrap import make_cache

    where = (
        f"Redis at {_masked(settings.redis_url)}"
        if settings.redis_url
        else f"cache file {settings.cache_path}"
    )
    key, value = "v1:doctor", str(time.time()).encode()
    try:
        cache = make_cache(settings)
    except CacheError as exc:
        return Check("cache", "fail", f"{where} cannot be opened: {exc}")
    try:
        if not cache.ping():
            return Check("cache", "fail", f"{where} does not answer (is the server running?)")
        cache.set(key, value, ttl_s=60)
        read = cache.get(key)
        cache.delete(key)
    except CacheError as exc:
        return Check("cache", "fail", f"{where} refused a write or read: {exc}")
    finally:
        cache.close()
    if read != value:
        return Check("cache", "fail", f"{where} did not return the value just written")
    return Check("cache", "ok", f"{where} answers")


def check_models(settings: Settings) -> Check:
    """The embedding model loads offline and turns one sentence into a unit vector."""
    from radar.embedding import make_embedder

    started = time.perf_counter()
    try:
        embedder = make_embedder(settings.embedding_model, settings.embedding_batch_size)
        vectors = embedder.embed(["Vigie checks that its embedding model works."])
    except ModelError as exc:
        return Check("models", "fail", str(exc))
    norms = np.linalg.norm(vectors, axis=1) if vectors.ndim == 2 else np.array([])
    if vectors.shape[0] != 1 or not np.all(np.isfinite(vectors)) or not np.allclose(norms, 1, atol=1e-3):
        return Check(
            "models", "fail", f"{settings.embedding_model} returned an unusable vector {vectors.shape}"
        )
    seconds = time.perf_counter() - started
    return Check(
        "models",
        "ok",
        f"{settings.embedding_model}: {vectors.shape[1]} dimensions, loaded in {seconds:.1f} s",
    )


def _probe(fetcher: Fetcher, source: SourceConfig) -> Check:
    name = f"source:{source.name}"
    started = time.perf_counter()
    try:
        response = fetcher.get(source.url, allow_private=source.allow_private)
    except FetchError as exc:
        if exc.status is not None and exc.status < 400:
            return Check(name, "ok", f"{source.url} answers (HTTP {exc.status}; {exc})")
        return Check(name, "warn", f"unreachable: {exc}")
    millis = (time.perf_counter() - started) * 1000
    return Check(name, "ok", f"{source.url} answers HTTP {response.status} in {millis:.0f} ms")


def check_sources(
    settings: Settings, sources: Sequence[SourceConfig], fetcher: Fetcher | None = None
) -> list[Check]:
    """One GET per enabled source, all at once, through the project's fetcher with a short deadline."""
    from collectors.fetcher import Fetcher, FetchPolicy

    enabled = [source for source in sources if source.enabled]
    if not enabled:
        return [Check("sources", "warn", "no enabled source: nothing will be collected")]
    own = fetcher is None
    if fetcher is None:
        # No retries and a short deadline: the doctor asks "does it answer now?", not "collect it".
        policy = FetchPolicy.from_settings(settings)
        fetcher = Fetcher(
            FetchPolicy(
                timeout_s=min(policy.timeout_s, SOURCE_TIMEOUT_S),
                deadline_s=min(policy.deadline_s, SOURCE_DEADLINE_S),
                max_bytes=policy.max_bytes,
                user_agent=policy.user_agent,
                allow_private=policy.allow_private,
                retries=0,
            )
        )
    try:
        with ThreadPoolExecutor(max_workers=min(16, len(enabled))) as pool:
            return list(pool.map(lambda source: _probe(fetcher, source), enabled))
    finally:
        if own:
            fetcher.close()


def run_checks(
    home: Path | None = None,
    *,
    skip: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
    fetcher: Fetcher | None = None,
) -> list[Check]:
    """Every check in order; when the config fails the others cannot run and are reported skipped."""
    config_check, config = check_config(home, environ)
    checks = [config_check]
    if config is None:
        return checks + [
            Check(name, "skip", "needs a valid config") for name in CHECKS[1:] if name not in skip
        ]
    settings = config.settings
    steps: dict[str, Callable[[], list[Check]]] = {
        "store": lambda: [check_store(settings)],
        "cache": lambda: [check_cache(settings)],
        "models": lambda: [check_models(settings)],
        "sources": lambda: check_sources(settings, config.sources, fetcher),
    }
    for name, step in steps.items():
        if name in skip:
            continue
        try:
            checks += step()
        except RadarError as exc:  # a check that did not foresee a failure still names it
            checks.append(Check(name, "fail", str(exc)))
    return checks


def exit_code(checks: Sequence[Check]) -> int:
    """1 when config, store, cache or models failed; warnings (sources) leave it 0."""
    return 1 if any(check.status == "fail" and check.blocking for check in checks) else 0
