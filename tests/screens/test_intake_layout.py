"""Issue 14: the intake form lays out at 80x24 in both languages (``--lang en`` broke it:
``Channel Ph / on / e``, a phone field 5 digits wide)."""

from __future__ import annotations

import pytest

from tests.screens.helpers import make_app, type_text, until_home
from workstation.i18n import set_language

FIELDS = (
    "#caller-phone", "#caller-name", "#caller-channel", "#caller-confidential",
    "#form-type", "#form-unit", "#form-address", "#form-investigation", "#form-leader",
    "#form-submit", "#form-reject",
)  # fmt: skip


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_every_field_fits_its_pane_on_one_line(services, lang: str) -> None:
    set_language(lang)
    try:
        app = make_app(services)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await until_home(pilot)
            await type_text(pilot, "13812345678")
            pane = screen.query_one("#intake-left").content_region
            for selector in FIELDS:
                region = screen.query_one(selector).region
                assert region.height == 1, (selector, region)
                assert pane.x <= region.x and region.right <= pane.right, (selector, region, pane)
            for label in screen.query("#caller-grid > Label, .form-row > Label"):
                assert label.region.height == 1, label.render()
                assert label.region.width >= len(str(label.render())), label.render()
            phone = screen.query_one("#caller-phone")
            assert phone.region.width >= 12  # all 11 digits and the cursor
            assert "13812345678" in str(phone.render_line(0).text)
    finally:
        set_language("zh")
