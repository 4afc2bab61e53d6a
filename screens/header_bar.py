"""The one-line top bar: who is logged in on which seat (shown on every home screen)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from screens.i18n_strings import t


def role_label(role: Any) -> str:
    key = f"role.{getattr(role, 'value', role)}"
    try:
        return t(key)
    except KeyError:
        return str(getattr(role, "value", role))


def who_text(session: Any, seat: Any) -> Text:
    from screens.safe_text import clean

    name = clean(
        getattr(session, "display_name", "") or getattr(session, "user", ""), multiline=False
    )
    user = clean(getattr(session, "user", ""), multiline=False)
    seat_code = getattr(seat, "seat", None) or getattr(seat, "code", None) or "-"
    return Text(
        t(
            "home.who",
            name=name,
            user=user,
            role=role_label(getattr(session, "role", "")),
            seat=seat_code,
        )
    )


class HeaderBar(Static):
    """Title and the signed-in user; set ``session``/``seat`` via :meth:`show`."""

    DEFAULT_CSS = """
    HeaderBar { dock: top; height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    def show(self, session: Any, seat: Any) -> None:
        text = Text(t("app.short") + "  ", style="bold")
        text.append_text(who_text(session, seat))
        self.update(text)
