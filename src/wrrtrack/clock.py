"""What "today" is: the date in the registry's time zone, never the machine's.

A change recorded just after midnight in Amsterdam must not be "in the future" for a CI
runner in UTC, so every command computes today in one zone: the `timezone` setting of
`wrrtrack.toml` (default Europe/Amsterdam). It defaults `status set --date` and is the
limit for dates in the registry, on every machine alike.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

from wrrtrack.config import DEFAULT_TIMEZONE

# No time zone is more than 14 hours from UTC, so a date before yesterday (UTC) is in the
# past everywhere: checking it needs no time zone data (which costs start-up time).
_WIDEST_OFFSET = timedelta(days=1)


def today(timezone: str = DEFAULT_TIMEZONE) -> date:
    """Today's date in `timezone` (an IANA name)."""
    import zoneinfo

    return datetime.fromtimestamp(time.time(), zoneinfo.ZoneInfo(timezone)).date()


def not_after_today(day: date, timezone: str = DEFAULT_TIMEZONE) -> bool:
    """Whether `day` is today or earlier in `timezone`, cheaply when it is long past."""
    utc_today = datetime.fromtimestamp(time.time(), UTC).date()
    if day < utc_today - _WIDEST_OFFSET:
        return True
    return day <= today(timezone)


def in_future(day: date, today: date) -> str | None:
    """What is wrong with `day` as the date of something that happened by `today`: that it
    is in the future (None: nothing). One message for `validate` and every writer."""
    return f"{day} is in the future (today is {today})" if day > today else None


DURATION_FORMS = "a number and d, m or y: 90d (days), 12m (months), 2y (years)"


def ago(day: date, duration: str) -> date:
    """The date `duration` before `day`: `90d`, `12m` or `2y` (months and years by the
    calendar, 31 March less 1m is 28 or 29 February). ValueError names the forms."""
    import re

    found = re.fullmatch(r"\s*(\d{1,5})\s*([dmyDMY])\s*", duration)
    if found is None:
        raise ValueError(f"'{duration}' is not a duration: {DURATION_FORMS}")
    count, unit = int(found[1]), found[2].lower()
    if unit == "d":
        return day - timedelta(days=min(count, (day - date.min).days))
    months = day.year * 12 + day.month - 1 - (count if unit == "m" else 12 * count)
    if months < 12:  # before the year 1
        return date.min
    year, month = divmod(months, 12)
    import calendar

    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
