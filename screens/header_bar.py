"""The one-line top bar: which screen, who is logged in on which seat (every home screen).

The label names the role's screen (受理, 承办单位, 督查中心, 回访), so a supervisor's
or a unit's seat never reads as the agents' intake.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from screens.i18n_strings import t
from workstation.models import Role
from workstation.seat_api import SeatInfo, Session

HOME_LABELS: dict[str, tuple[str, str]] = {
    "agent": ("受理", "intake"),
    "unit": ("承办单位", "Handling unit"),
    "supervisor": ("督查中心", "Supervision"),
    "callback": ("回访", "Callback"),
    "admin": ("系统管理", "Administration"),
}


def home_label(role: Role | str | None) -> str:
    """The name of the role's home screen in the user's language (``12345 <label>``)."""
    from workstation.i18n import language

    zh, en = HOME_LABELS.get(str(role or ""), ("坐席工作台", "workstation"))
    return zh if language() == "zh" else en


def role_label(role: Role | str) -> str:
    key = f"role.{role}"
    try:
        return t(key)
    except KeyError:
        return str(role)


def who_text(session: Session | None, seat: SeatInfo | None) -> Text:
    from screens.safe_text import clean

    display = (session.display_name or session.user) if session else ""
    return Text(
        t(
            "home.who",
            name=clean(display, multiline=False),
            user=clean(session.user if session else "", multiline=False),
            role=role_label(session.role if session else ""),
            seat=seat.seat if seat else "-",
        )
    )


class HeaderBar(Static):
    """Title and the signed-in user; set ``session``/``seat`` via :meth:`show`."""

    DEFAULT_CSS = """
    HeaderBar { dock: top; height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    def show(
        self, session: Session | None, seat: SeatInfo | None, label: str | None = None
    ) -> None:
        """``12345 <label>`` (default: the session role's home) and who is signed in."""
        name = label or home_label(session.role if session else None)
        text = Text(f"12345 {name}  ", style="bold")
        text.append_text(who_text(session, seat))
        self.update(text)
