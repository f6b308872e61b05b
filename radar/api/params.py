"""Query value types shared by the routers.

Pydantic reads a number as a Unix timestamp where a datetime or date is expected (``since=0.55`` would mean
1970); the API's schema says ISO 8601, so numbers are refused before that lenient parsing.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import AwareDatetime, BeforeValidator

_NUMBER = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")


def _iso_only(value: Any) -> Any:
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.match(value)):
        raise ValueError("must be an ISO 8601 date or time, not a number")
    return value


# A time with its UTC offset (a time without one is refused: whose midnight would it be?).
IsoTime = Annotated[AwareDatetime, BeforeValidator(_iso_only)]
IsoDate = Annotated[date, BeforeValidator(_iso_only)]

__all__ = ["IsoDate", "IsoTime"]
