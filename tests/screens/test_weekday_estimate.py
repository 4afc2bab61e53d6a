"""The agent sees when a deadline is only a Monday-Friday estimate (a year without
official holiday data), and sees no such mark when the calendar knows every day counted."""

from __future__ import annotations

from datetime import datetime

import pytest

from screens.widgets.order_form import OrderForm
from tests.screens.helpers import make_app, until_home, wait_for


@pytest.mark.parametrize(
    ("now", "marked"),
    [
        ("2026-12-28T10:00:00+08:00", True),  # 7 working days reach into 2027: no data yet
        ("2026-03-02T09:30:00+08:00", False),
    ],
)
async def test_intake_deadline_says_weekday_estimate(services, now: str, marked: bool) -> None:
    services.frozen = datetime.fromisoformat(now)
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_home(pilot)
        form = app.screen.query_one(OrderForm)
        form.set_type("complaint")
        text = await wait_for(pilot, lambda: form.deadline)
        assert ("按周一至周五推算" in text.plain) is marked
