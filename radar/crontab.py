"""Standard 5-field crontab strings as APScheduler 3 triggers, with crontab's weekday numbers.

APScheduler 3's ``CronTrigger.from_crontab`` counts weekdays from 0 = Monday, where crontab counts from
0 (or 7) = Sunday: "1-5" would mean Tuesday to Saturday. The weekday field is therefore expanded here
into day names, which both read the same way. One difference remains: when both day-of-month and
weekday are restricted, crontab fires on either and APScheduler only on days matching both.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _day(token: str) -> int:
    token = token.strip().lower()
    if token in DAY_NAMES:
        return DAY_NAMES.index(token)
    if not token.isdigit() or int(token) > 7:
        raise ValueError(f"{token!r} is not a weekday (0-7 or sun-sat)")
    return int(token) % 7  # 7 is Sunday too


def weekdays(field: str) -> str:
    """A crontab weekday field as APScheduler day names: ``"1-5"`` -> ``"mon,tue,wed,thu,fri"``."""
    days: set[int] = set()
    for part in field.split(","):
        body, _, step_text = part.partition("/")
        if step_text and (not step_text.isdigit() or int(step_text) == 0):
            raise ValueError(f"{part!r}: the step must be a positive number")
        step = int(step_text) if step_text else 1
        if body == "*":
            first, last = 0, 6
        elif "-" in body:
            start, end = body.split("-", 1)
            first, last = _day(start), _day(end)
            last = 7 if end.strip() == "7" else last  # "5-7" is Friday to Sunday
            if first > last:
                raise ValueError(f"{part!r}: the range runs backwards")
        else:
            first = last = _day(body)
            if step_text:
                last = 6  # "1/2" is every other day from Monday, as in crontab
        days.update(day % 7 for day in range(first, last + 1, step))
    if len(days) == 7:
        return "*"
    return ",".join(DAY_NAMES[day] for day in sorted(days))


def cron_trigger(expression: str) -> Any:
    """APScheduler's trigger for a 5-field crontab string, read in UTC. Raises ValueError when invalid."""
    from apscheduler.triggers.cron import CronTrigger

    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"{expression!r} is not a 5-field crontab (minute hour day month weekday)")
    minute, hour, day, month, weekday = fields
    return CronTrigger(
        minute=minute, hour=hour, day=day, month=month, day_of_week=weekdays(weekday), timezone=UTC
    )
