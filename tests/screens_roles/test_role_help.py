"""F1 help and the header bar speak of the role's own screen, not the agents' intake."""

from __future__ import annotations

import pytest

from screens.header_bar import HeaderBar
from screens.help_screen import HELP, help_text
from tests.screens_roles.helpers import make_app, until_dialog, until_home
from workstation.i18n import set_language


def test_every_role_has_help_in_both_languages() -> None:
    for role in ("agent", "unit", "supervisor", "callback"):
        for lang in ("zh", "en"):
            title, steps = help_text(role, lang)
            assert title and steps and all(steps)
    assert help_text("unit", "zh")[0] != help_text("agent", "zh")[0]
    assert set(HELP) == {"agent", "unit", "supervisor", "callback"}


@pytest.mark.parametrize(
    ("user", "home", "role", "header", "word"),
    [
        ("unit1", "UnitHome", "unit", "12345 承办单位", "签收"),
        ("super1", "SupervisionHome", "supervisor", "12345 督查中心", "改派"),
        ("cb1", "CallbackHome", "callback", "12345 回访", "满意度"),
    ],
)
async def test_f1_and_header_follow_the_role(seat, user, home, role, header, word) -> None:  # type: ignore[no-untyped-def]
    app = make_app(seat, user)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await until_home(pilot, home)
        assert str(screen.query_one(HeaderBar).render()).startswith(header)
        await pilot.press("f1")
        help_screen = await until_dialog(pilot, "HelpScreen")
        assert help_screen.help_for == role
        intro = str(help_screen.query_one("#help-intro").render())
        assert word in intro and "F10" not in intro  # not the agent's call workflow
        await pilot.press("escape")
        await until_home(pilot, home)


async def test_english_help_for_a_unit(seat) -> None:  # type: ignore[no-untyped-def]
    set_language("en")
    try:
        app = make_app(seat, "unit1")
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await until_home(pilot, "UnitHome")
            assert str(screen.query_one(HeaderBar).render()).startswith("12345 Handling unit")
            await pilot.press("f1")
            help_screen = await until_dialog(pilot, "HelpScreen")
            assert "Sign for" in str(help_screen.query_one("#help-intro").render())
    finally:
        set_language("zh")
