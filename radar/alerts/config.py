"""``alerts.toml``: where alerts go, which movements raise one, and when they may be sent.

Validated at load with the other config files (:func:`radar.settings.load_config`), so a bad webhook URL
or rule stops every command at start, naming the file and key, rather than failing at the first alert.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import time
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from radar.alerts.outbox import DEFAULT_MAX_ATTEMPTS
from radar.errors import ConfigError

RISING_STATES = ("weak", "emerging", "mainstream", "spike")
ALL_STATES = ("noise", "weak", "emerging", "mainstream", "fading", "spike")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _seconds(value: str | int) -> int:
    # Imported here: radar.settings imports this module for RadarConfig.
    from radar.settings import parse_duration

    return parse_duration(value)


def _clock(value: str) -> time:
    match = _CLOCK.match(value.strip())
    if not match:
        raise ValueError(f"{value!r} is not a time of day like '08:30'")
    return time(int(match.group(1)), int(match.group(2)))


def _check_webhook_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


class Destination(BaseModel):
    """A Slack incoming webhook (Block Kit messages) or a generic JSON webhook."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: Literal["slack", "webhook"] = "slack"
    url: str

    _url = field_validator("url")(_check_webhook_url)

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError("must be lower-case letters, digits, '.', '_' or '-' (at most 64)")
        return value


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    # Destination names; empty means every destination.
    destinations: tuple[str, ...] = ()

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError("must be lower-case letters, digits, '.', '_' or '-' (at most 64)")
        return value


def _check_states(states: tuple[str, ...]) -> tuple[str, ...]:
    for state in states:
        if state not in ALL_STATES:
            raise ValueError(f"{state!r} is not a state; states: {', '.join(ALL_STATES)}")
    if not states:
        raise ValueError("name at least one state")
    return states


class StateRule(_Rule):
    """A cluster topic changed state into one of ``to``."""

    on: Literal["state"]
    to: tuple[str, ...] = RISING_STATES
    min_score: float = Field(default=0.0, ge=0)
    min_items: int = Field(default=0, ge=0)

    _states = field_validator("to")(_check_states)


class ThemeRule(_Rule):
    """A watch theme (``watch.toml``) changed state into one of ``to``; ``themes`` empty means all."""

    on: Literal["theme"]
    to: tuple[str, ...] = RISING_STATES
    themes: tuple[str, ...] = ()
    min_items: int = Field(default=0, ge=0)

    _states = field_validator("to")(_check_states)


class OpportunityRule(_Rule):
    """A topic became an opportunity for a value (new to the profile's radar, or its stance changed)."""

    on: Literal["opportunity"]
    profiles: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    min_momentum: float = 0.0


class RiskRule(_Rule):
    """A topic near a red line (alignment at least ``min_score``) whose risk is rising: it just became a risk,
    or its momentum just crossed ``min_momentum``."""

    on: Literal["risk"]
    profiles: tuple[str, ...] = ()
    min_score: float = Field(default=0.15, ge=0, le=1)
    min_momentum: float = 0.0


class SourceRule(_Rule):
    """Operator alert: a source failed ``max_errors`` times in a row, or brought nothing new for
    ``silent_factor`` times its usual gap between new items (and at least ``min_silence``)."""

    on: Literal["source"]
    max_errors: int = Field(default=5, ge=1)
    silent_factor: float = Field(default=5.0, gt=1)
    min_silence: str = "1d"

    @field_validator("min_silence")
    @classmethod
    def _check_silence(cls, value: str) -> str:
        _seconds(value)
        return value

    @property
    def min_silence_s(self) -> int:
        return _seconds(self.min_silence)


Rule = Annotated[StateRule | ThemeRule | OpportunityRule | RiskRule | SourceRule, Field(discriminator="on")]


class QuietHours(BaseModel):
    """Local times between which alerts wait (deferred to ``end``, never dropped); may span midnight."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _check_clock(cls, value: str) -> str:
        _clock(value)
        return value

    @property
    def window(self) -> tuple[time, time]:
        return _clock(self.start), _clock(self.end)


class AlertsConfig(BaseModel):
    """The whole of ``alerts.toml``. No destination: alerts are evaluated and recorded (``radar alerts``
    lists them, status ``stored``) but sent nowhere."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    timezone: str = "UTC"
    cooldown: str = "12h"
    quiet_hours: QuietHours | None = None
    digest_at: str | None = "08:30"
    digest_size: int = Field(default=5, ge=1, le=50)
    dashboard_url: str | None = None
    max_attempts: int = Field(default=DEFAULT_MAX_ATTEMPTS, ge=1, le=100)  # about 25 h: see the constant
    retry_base: str = "30s"
    retry_max: str = "1h"
    timeout: str = "10s"
    destination: tuple[Destination, ...] = ()
    rule: tuple[Rule, ...] = ()

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{value!r} is not an IANA time zone like 'Europe/Paris'") from exc
        return value

    @field_validator("cooldown", "retry_base", "retry_max", "timeout")
    @classmethod
    def _check_duration(cls, value: str) -> str:
        _seconds(value)
        return value

    @field_validator("digest_at")
    @classmethod
    def _check_digest(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        _clock(value)
        return value

    @field_validator("dashboard_url")
    @classmethod
    def _check_dashboard(cls, value: str | None) -> str | None:
        if not value:
            return None
        return _check_webhook_url(value).rstrip("/")

    @model_validator(mode="after")
    def _names_resolve(self) -> AlertsConfig:
        names = [d.name for d in self.destination]
        if len(set(names)) != len(names):
            raise ValueError("a destination name is used twice")
        rules = [r.name for r in self.rule]
        if len(set(rules)) != len(rules):
            raise ValueError("a rule name is used twice")
        for rule in self.rule:
            for name in rule.destinations:
                if name not in names and name != "slack":
                    raise ValueError(f"rule {rule.name!r} sends to {name!r}, which is not a destination")
        return self

    @property
    def cooldown_s(self) -> int:
        return _seconds(self.cooldown)

    @property
    def digest_time(self) -> time | None:
        return _clock(self.digest_at) if self.digest_at else None

    def with_settings_slack(self, url: str | None) -> AlertsConfig:
        """RADAR_SLACK_WEBHOOK_URL (``slack_webhook_url``), kept out of config files because it is a secret,
        becomes the destination ``slack`` unless one of that name is configured."""
        if not url or any(d.name == "slack" for d in self.destination):
            return self
        return self.model_copy(
            update={"destination": (*self.destination, Destination(name="slack", url=url))}
        )


def _literal_private(url: str) -> str | None:
    """Why a URL's host is private when that is known without a DNS lookup (a literal address, localhost)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return "localhost is a loopback address"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return None
    from collectors.netguard import address_problem

    return address_problem(str(ip), allow_private=False)


def load_alerts(
    raw: dict[str, Any], file: str, *, slack_url: str | None, allow_private: bool
) -> AlertsConfig:
    """Validate ``alerts.toml``'s parsed content; raise :class:`ConfigError` naming the key at fault.

    A destination on a literal private or loopback address is refused here unless ``allow_private``
    (``RADAR_FETCH_ALLOW_PRIVATE``); host names are checked again, resolved, at each send.
    """
    from radar.settings import _first_error

    try:
        config = AlertsConfig.model_validate(raw).with_settings_slack(slack_url)
    except ValidationError as exc:
        raise _first_error(exc, file) from exc
    if not allow_private:
        for index, destination in enumerate(config.destination):
            problem = _literal_private(destination.url)
            if problem:
                raise ConfigError(
                    f"{problem}; set RADAR_FETCH_ALLOW_PRIVATE=true to send alerts there",
                    file=file,
                    key=f"destination[{index}].url",
                )
    return config
