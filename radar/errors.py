"""The one exception hierarchy of Vigie.

::

    RadarError
    ├── ConfigError (ValueError)        a config file or setting is invalid; names file and key
    ├── StoreError                      the store could not read or write
    ├── NotFoundError (LookupError)     no such topic, API key or job (the API answers 404)
    ├── CacheError                      the cache backend failed (callers fall back to the store)
    ├── FetchError                      a source could not be fetched or parsed
    │   ├── FetchRefused (ValueError)   the URL is not allowed (scheme, private address, ...)
    │   └── FeedParseError (ValueError) the bytes are not a feed we can read
    ├── ModelError                      an embedding or topic model could not be loaded or run
    └── NotImplementedYet               a command whose feature has not landed yet

Third-party errors are wrapped at the I/O edge and chained (``raise ... from exc``) so that callers
only ever need to catch ``RadarError``.
"""

from __future__ import annotations


class RadarError(Exception):
    """Root of every error Vigie raises on purpose."""


class ConfigError(RadarError, ValueError):
    """Invalid configuration. ``file`` and ``key`` say where, ``message`` what is wrong."""

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None) -> None:
        self.file = file
        self.key = key
        self.message = message
        where = ": ".join(part for part in (file, key) if part)
        super().__init__(f"{where}: {message}" if where else message)


class StoreError(RadarError):
    """The store failed to read or write."""


class NotFoundError(RadarError, LookupError):
    """What was asked for (a topic, an API key, a backtest job) does not exist."""


class CacheError(RadarError):
    """The cache backend failed; callers fall back to the store."""


class FetchError(RadarError):
    """A source could not be fetched."""

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None) -> None:
        self.url = url
        self.status = status
        super().__init__(f"{url}: {message}" if url else message)


class FetchRefused(FetchError, ValueError):
    """The URL is refused by policy (scheme, private address, ...)."""


class FeedParseError(FetchError, ValueError):
    """The response is not a feed Vigie can read."""


class ModelError(RadarError):
    """An embedding or topic model could not be loaded or run."""


class NotImplementedYet(RadarError):
    """A command whose feature has not landed yet; says which issue brings it."""
