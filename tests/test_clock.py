"""What "today" is, and the one rule for dates after it."""

from __future__ import annotations

from datetime import date

from wrrtrack import clock


def test_a_date_after_today_is_in_the_future_and_today_is_not() -> None:
    today = date(2026, 3, 1)
    assert clock.in_future(today, today) is None
    assert clock.in_future(date(2026, 2, 28), today) is None
    assert (
        clock.in_future(date(2026, 3, 2), today)
        == "2026-03-02 is in the future (today is 2026-03-01)"
    )
