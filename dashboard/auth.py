"""The dashboard's login gate, set by ``RADAR_DASHBOARD_AUTH`` (setting ``dashboard_auth``).

Formats (empty or unset = no gate, as in the demo):

- ``oidc``: Streamlit's own OpenID Connect login (``st.login``), configured in ``.streamlit/secrets.toml``
  under ``[auth]``;
- ``sha256:<hex digest>``: a password, stored as its SHA-256 so that the environment holds no secret;
- ``password:<secret>`` or any other value: the password itself.

Passwords are compared with :func:`hmac.compare_digest` (constant time, no timing oracle).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class Gate:
    kind: Literal["off", "password", "sha256", "oidc"]
    secret: str = ""


def parse_gate(setting: str | None) -> Gate:
    value = (setting or "").strip()
    if not value:
        return Gate("off")
    if value.lower() == "oidc":
        return Gate("oidc")
    if value.startswith("sha256:"):
        return Gate("sha256", value.removeprefix("sha256:").strip().lower())
    return Gate("password", value.removeprefix("password:"))


def password_ok(gate: Gate, given: str) -> bool:
    """Whether ``given`` opens a password gate (never true for an empty password or another kind)."""
    if not given:
        return False
    if gate.kind == "password":
        return hmac.compare_digest(given.encode(), gate.secret.encode())
    if gate.kind == "sha256":
        digest = hashlib.sha256(given.encode()).hexdigest()
        return hmac.compare_digest(digest.encode(), gate.secret.encode())
    return False
