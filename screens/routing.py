"""Which home screen each role gets after login: a plain mapping, extended role by role."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.screen import Screen

    from workstation.models import Role


def home_screens() -> dict[str, type[Screen[None]]]:
    """Role value → home screen class. Roles not listed get the placeholder home."""
    from screens.callback_home import CallbackHome
    from screens.intake import IntakeScreen
    from screens.supervision_home import SupervisionHome
    from screens.unit_home import UnitHome

    return {
        "agent": IntakeScreen,
        "unit": UnitHome,
        "supervisor": SupervisionHome,
        "callback": CallbackHome,
    }


def home_for(role: Role | str) -> type[Screen[None]]:
    from screens.placeholder_home import PlaceholderHome

    return home_screens().get(str(role), PlaceholderHome)
