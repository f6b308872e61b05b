"""Configuration: one settings object from ``RADAR_HOME/config/*.toml`` and ``RADAR_*`` variables.

Precedence, highest first: environment variables, ``settings.toml``, defaults. ``sources.toml`` and
``brand.toml`` are validated here too, so that every command can refuse a bad file before it touches
anything, with a message that names the file, the key and what is wrong.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from radar.alerts.config import AlertsConfig, load_alerts
from radar.errors import ConfigError
from radar.signals.measures import SignalParams

CONFIG_FILES = ("settings.toml", "sources.toml", "brand.toml", "watch.toml", "alerts.toml")
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def parse_duration(text: str | int) -> int:
    """``"30m"`` -> 1800. Integers are seconds."""
    if isinstance(text, int):
        if text <= 0:
            raise ValueError("must be a positive number of seconds")
        return text
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration like '45s', '30m', '6h' or '1d'")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


class Settings(BaseSettings):
    """Every runtime setting. Environment variables are the upper-cased names with a ``RADAR_`` prefix."""

    model_config = SettingsConfigDict(env_prefix="RADAR_", extra="forbid", validate_default=True)

    home: Path = Field(default=Path(".radar"), description="Folder holding config/ and the embedded store.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy or postgresql:// URL; default: SQLite file in RADAR_HOME."
    )
    redis_url: str | None = Field(default=None, description="redis:// URL; default: embedded cache file.")
    store_busy_timeout_s: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="How long a write to the SQLite store waits for another process's write lock before "
        "failing with 'database is locked'.",
    )
    fetch_allow_private: bool = Field(
        default=False, description="Allow fetching private, loopback and link-local addresses."
    )
    fetch_timeout_s: float = Field(default=10.0, gt=0, description="Connect/read timeout of one request.")
    fetch_deadline_s: float = Field(default=30.0, gt=0, description="Total time allowed for one fetch.")
    fetch_max_bytes: int = Field(default=10_000_000, gt=0, description="Largest response body accepted.")
    fetch_concurrency: int = Field(default=4, ge=1, le=64, description="Sources fetched at once.")
    user_agent: str = Field(
        default="Vigie/0.1 (+https://github.com/vigie-radar/vigie; self-hosted trend radar)",
        description="User-Agent sent to every source.",
    )
    embedding_model: str = Field(default="all-MiniLM-L6-v2", description="Name of the embedding model.")
    embedding_batch_size: int = Field(default=64, ge=1, le=4096, description="Items embedded per batch.")
    analysis_window_days: int = Field(default=42, ge=1, le=3650, description="Look-back window of analysis.")
    analysis_parallel: bool = Field(
        default=True,
        description="Reduce on every core (faster; runs are then not bit-for-bit reproducible).",
    )
    min_topic_size: int = Field(default=5, ge=2, le=1000, description="Smallest cluster that is a topic.")
    cache_ttl_s: int = Field(default=7 * 86400, ge=1, description="Time-to-live of cached snapshots.")
    log_format: Literal["text", "json"] = Field(default="text", description="Log line format.")
    log_level: str = Field(default="INFO", description="Python logging level name.")
    metrics_port: int = Field(
        default=0, ge=0, le=65535, description="Port of the worker's Prometheus metrics (0 = off)."
    )
    retention_days: int = Field(
        default=0,
        ge=0,
        le=36500,
        description="Items published more than this many days ago are purged daily (0 = keep forever).",
    )
    analysis_interval: str = Field(default="6h", description="How often the worker runs the analysis.")
    api_url: str | None = Field(
        default=None, description="Base URL of the topics API, for a dashboard that reads over HTTP."
    )
    api_rate_limit: int = Field(
        default=120, ge=0, description="API requests per minute per key (0 = off); enforced by the API."
    )
    dashboard_auth: str | None = Field(
        default=None, description="Dashboard login gate (empty = off); enforced by the dashboard."
    )
    slack_webhook_url: str | None = Field(default=None, description="Slack incoming webhook for alerts.")
    # -- several workers (see radar.coordination and docs/SCALING.md) --
    redis_prefix: str = Field(
        default="vigie:",
        min_length=1,
        max_length=64,
        description="Prefix of every Redis key (cache, locks, queue), so one Redis can serve several radars.",
    )
    worker_lease_s: float = Field(
        default=180.0,
        gt=0,
        le=86400,
        description="How long a worker holds a source's fetch or the analysis lock without renewing it; "
        "a killed worker's sources are fetched by another worker once it has passed.",
    )
    worker_embedding: bool = Field(
        default=True,
        description="With redis_url, each worker embeds new items from the shared queue as they arrive.",
    )
    embedding_threads: int = Field(
        default=0,
        ge=0,
        le=256,
        description="CPU threads one process gives the embedding model (0 = every core); "
        "set 1 when running one worker per core.",
    )
    embedding_reclaim_s: float = Field(
        default=120.0,
        gt=0,
        description="Idle time after which a queued batch a worker took but never finished goes to another.",
    )

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        # A plain postgresql:// URL must work: point it at the psycopg 3 driver we ship.
        for prefix in ("postgresql://", "postgres://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        if not value.startswith(("sqlite", "postgresql+")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if urlsplit(value).scheme not in {"redis", "rediss", "unix"}:
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        return value

    @field_validator("analysis_interval")
    @classmethod
    def _check_interval(cls, value: str) -> str:
        parse_duration(value)
        return value

    @field_validator("slack_webhook_url")
    @classmethod
    def _check_slack_url(cls, value: str | None) -> str | None:
        # A bad webhook is a config error at start, not a failed alert days later (see docs/ALERTS.md).
        if value is None or value == "":
            return None
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError("must be an http(s) URL, like https://hooks.slack.com/services/...")
        return value

    @field_validator("log_level")
    @classmethod
    def _check_level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return value.upper()

    @model_validator(mode="after")
    def _lease_outlasts_a_fetch(self) -> Settings:
        # A lease that ends while its fetch still runs lets a second worker fetch the same due slot.
        if self.worker_lease_s <= self.fetch_deadline_s:
            raise ValueError(
                f"worker_lease_s ({self.worker_lease_s:g}) must be longer than "
                f"fetch_deadline_s ({self.fetch_deadline_s:g})"
            )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The TOML values arrive as init kwargs; the environment must win over them.
        return (env_settings, init_settings)

    @property
    def config_dir(self) -> Path:
        return self.home / "config"

    @property
    def store_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.home / 'radar.sqlite3').resolve()}"

    @property
    def cache_path(self) -> Path:
        return self.home / "cache.sqlite3"


class SourceConfig(BaseModel):
    """One entry of ``sources.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: str = "feed"
    url: str
    interval: str = "1h"
    # A 5-field crontab (minute hour day month weekday, in UTC) instead of ``interval``.
    cron: str | None = None
    tags: tuple[str, ...] = ()
    lang: str | None = None
    owned: bool = False
    allow_private: bool = False
    enabled: bool = True
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError("must be lower-case letters, digits, '.', '_' or '-' (at most 64)")
        return value

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    @field_validator("interval")
    @classmethod
    def _check_interval(cls, value: str) -> str:
        parse_duration(value)
        return value

    @field_validator("cron")
    @classmethod
    def _check_cron(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        # The key path gives the index only; the name tells the reader which entry to fix.
        source = f"source {info.data['name']!r}: " if "name" in info.data else ""
        from radar.crontab import cron_trigger

        try:
            cron_trigger(value)
        except ValueError as exc:
            raise ValueError(f"{source}{exc}") from exc
        return value

    @model_validator(mode="after")
    def _interval_or_cron(self) -> SourceConfig:
        # interval has a default, so only an interval written next to a cron is a conflict.
        if self.cron is not None and "interval" in self.model_fields_set:
            raise ValueError(f"source {self.name!r} sets both interval and cron; keep one")
        return self

    @property
    def interval_s(self) -> int:
        return parse_duration(self.interval)


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: list[SourceConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> SourcesFile:
        seen: set[str] = set()
        for source in self.source:
            if source.name in seen:
                raise ValueError(f"source name {source.name!r} is used twice")
            seen.add(source.name)
        return self


def _check_phrases(values: tuple[str, ...]) -> tuple[str, ...]:
    # An empty phrase embeds to a vector close to everything, which would make every topic "aligned".
    stripped = tuple(value.strip() for value in values)
    for index, value in enumerate(stripped):
        if not value:
            raise ValueError(f"phrase [{index}] is empty")
    return stripped


class BrandValue(BaseModel):
    """A value the brand declares: what it means by it, phrases that show it, and how much it claims it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    examples: tuple[str, ...] = ()
    # Phrases that contradict the value (for "Sustainability": "fast fashion haul"): a topic closer to these
    # than to the value is a risk for a brand claiming it. Embeddings place subjects, not polarity, so the
    # brand says what the opposite looks like rather than the radar guessing it.
    opposites: tuple[str, ...] = ()
    weight: float = Field(default=1.0, ge=0, le=10)

    _examples = field_validator("examples", "opposites")(_check_phrases)

    @field_validator("name", "description")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class RedLine(BaseModel):
    """A theme the brand must not be tied to; a topic close to it is a risk whatever its state."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    examples: tuple[str, ...] = ()

    _examples = field_validator("examples")(_check_phrases)

    @field_validator("name", "description")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class BrandProfile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    description: str = ""
    values: tuple[BrandValue, ...] = Field(min_length=1)
    red_lines: tuple[RedLine, ...] = ()

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        # The name is a CLI option, an API path segment and part of cache keys.
        if not _SLUG.match(value):
            raise ValueError("must be lower-case letters, digits, '.', '_' or '-' (at most 64)")
        return value

    @field_validator("values")
    @classmethod
    def _unique_values(cls, values: tuple[BrandValue, ...]) -> tuple[BrandValue, ...]:
        _unique([value.name for value in values], "value")
        return values

    @field_validator("red_lines")
    @classmethod
    def _unique_red_lines(cls, red_lines: tuple[RedLine, ...], info: ValidationInfo) -> tuple[RedLine, ...]:
        _unique([line.name for line in red_lines], "red line")
        # Alignment scores are keyed by name, so a red line cannot share a value's name.
        values = {value.name.casefold() for value in info.data.get("values", ())}
        for line in red_lines:
            if line.name.casefold() in values:
                raise ValueError(f"red line {line.name!r} has the name of a value; rename one of them")
        return red_lines


def _unique(names: Sequence[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name.casefold() in seen:
            raise ValueError(f"{what} name {name!r} is used twice")
        seen.add(name.casefold())


class BrandFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    profile: list[BrandProfile] = Field(default_factory=list)

    @field_validator("profile")
    @classmethod
    def _unique_profiles(cls, profiles: list[BrandProfile]) -> list[BrandProfile]:
        _unique([profile.name for profile in profiles], "profile")
        return profiles


class WatchTheme(BaseModel):
    """A theme analysts want tracked even while it is too small to form a cluster."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    keywords: tuple[str, ...] = ()
    threshold: float = Field(default=0.5, gt=0, le=1, description="Cosine to the description to belong.")

    @property
    def slug(self) -> str:
        return "w-" + (re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")[:28] or "theme")


class WatchFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    theme: list[WatchTheme] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> WatchFile:
        seen: set[str] = set()
        for theme in self.theme:
            if theme.slug in seen:
                raise ValueError(f"theme name {theme.name!r} is used twice")
            seen.add(theme.slug)
        return self


class RadarConfig(BaseModel):
    """Everything read from config: settings, signal thresholds, sources, brand profiles, watch themes."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    settings: Settings
    sources: tuple[SourceConfig, ...]
    profiles: tuple[BrandProfile, ...]
    signals: SignalParams = Field(default_factory=SignalParams)
    themes: tuple[WatchTheme, ...] = ()
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)


def _key_path(loc: Sequence[int | str], root: str | None = None) -> str:
    parts: list[str] = [root] if root else []
    for piece in loc:
        if isinstance(piece, int):
            if not parts:
                parts.append(f"[{piece}]")
            else:
                parts[-1] += f"[{piece}]"
        else:
            parts.append(str(piece))
    return ".".join(parts) or "(top level)"


def _first_error(exc: ValidationError, file: str, root: str | None = None) -> ConfigError:
    error = exc.errors()[0]
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key (check the spelling)"
    elif error["type"] == "missing":
        message = "required key is missing"
    more = len(exc.errors()) - 1
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''} in this file)"
    return ConfigError(message, file=file, key=_key_path(error["loc"], root))


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=str(path)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot be read: {exc}", file=str(path)) from exc


def _env_home(environ: Mapping[str, str]) -> Path:
    return Path(environ.get("RADAR_HOME") or ".radar")


def load_config(home: Path | None = None, environ: Mapping[str, str] | None = None) -> RadarConfig:
    """Read and validate every config file under ``home/config`` (missing files mean defaults).

    Raises :class:`ConfigError` naming the file and key of the first problem found.
    """
    env = os.environ if environ is None else environ
    home = home if home is not None else _env_home(env)
    config_dir = home / "config"
    settings_path = config_dir / "settings.toml"
    raw_settings = _read_toml(settings_path)
    table = raw_settings.get("radar", {})
    unknown_tables = set(raw_settings) - {"radar", "signals"}
    if unknown_tables:
        raise ConfigError(
            "unknown table (settings live under [radar], thresholds under [signals])",
            file=str(settings_path),
            key=sorted(unknown_tables)[0],
        )
    try:
        signals = SignalParams.model_validate(raw_settings.get("signals", {}))
    except ValidationError as exc:
        raise _first_error(exc, str(settings_path), root="signals") from exc
    if "home" in table:
        raise ConfigError(
            "home cannot be set inside the config it locates; use RADAR_HOME or --home",
            file=str(settings_path),
            key="radar.home",
        )
    try:
        settings = _build_settings(table, home, env)
    except ValidationError as exc:
        raise _settings_error(exc, settings_path, table, env) from exc

    sources_path = config_dir / "sources.toml"
    try:
        sources = SourcesFile.model_validate(_read_toml(sources_path))
    except ValidationError as exc:
        raise _first_error(exc, str(sources_path)) from exc

    brand_path = config_dir / "brand.toml"
    try:
        brand = BrandFile.model_validate(_read_toml(brand_path))
    except ValidationError as exc:
        raise _first_error(exc, str(brand_path)) from exc

    watch_path = config_dir / "watch.toml"
    try:
        watch = WatchFile.model_validate(_read_toml(watch_path))
    except ValidationError as exc:
        raise _first_error(exc, str(watch_path)) from exc

    alerts_path = config_dir / "alerts.toml"
    alerts = load_alerts(
        _read_toml(alerts_path),
        str(alerts_path),
        slack_url=settings.slack_webhook_url,
        allow_private=settings.fetch_allow_private,
    )

    return RadarConfig(
        settings=settings,
        sources=tuple(sources.source),
        profiles=tuple(brand.profile),
        signals=signals,
        themes=tuple(watch.theme),
        alerts=alerts,
    )


def _build_settings(table: dict[str, Any], home: Path, env: Mapping[str, str]) -> Settings:
    # Merge by hand (TOML, then RADAR_* variables, then the explicit home) so that the precedence is
    # visible here and tests can pass their own environment without touching os.environ.
    values = {k[len("RADAR_") :].lower(): v for k, v in env.items() if k.startswith("RADAR_")}
    unknown = sorted(k for k in values if k not in Settings.model_fields)
    if unknown:
        # A mistyped variable silently ignored is a setting the operator believes is in force.
        raise ConfigError(
            "unknown setting (check the spelling)", file="environment", key=f"RADAR_{unknown[0].upper()}"
        )
    merged = {**table, **values}
    merged["home"] = home
    return Settings.model_validate(merged)


def _settings_error(
    exc: ValidationError, path: Path, table: dict[str, Any], env: Mapping[str, str]
) -> ConfigError:
    error = exc.errors()[0]
    key = str(error["loc"][0]) if error["loc"] else ""
    env_name = f"RADAR_{key.upper()}"
    if key and env_name in env:
        message = error["msg"].removeprefix("Value error, ")
        return ConfigError(message, file="environment", key=env_name)
    return _first_error(exc, str(path), root="radar")
