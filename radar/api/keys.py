"""API keys: made once, shown once, stored as a hash.

A key is 32 random bytes (``secrets``), so a plain SHA-256 is enough to store it: there is nothing to
guess, unlike a password, and the lookup by hash is a single indexed read. The first characters
(``prefix``) name the key in listings and for revocation, and are too short to be used as the key.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

SCOPES = ("read", "admin")
KEY_PREFIX = "vg_"
PREFIX_CHARS = 11  # "vg_" and 8 random characters


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_prefix(key: str) -> str:
    return key[:PREFIX_CHARS]


def create_key(store: Any, scope: str, name: str) -> tuple[str, Any]:
    """Make a key of ``scope`` and store its hash; return the key (to show once) and its record."""
    if scope not in SCOPES:
        from radar.errors import ConfigError

        raise ConfigError(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}", key="--scope")
    key = new_key()
    record = store.add_api_key(name=name, prefix=key_prefix(key), key_hash=hash_key(key), scope=scope)
    return key, record


def allows(granted: str, needed: str) -> bool:
    """Admin keys may do everything read keys may."""
    return granted == "admin" or granted == needed
