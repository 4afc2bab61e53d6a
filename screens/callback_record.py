"""Record a callback (登记回访) with single keys: reached, resolved, satisfaction, comment.

1 / 2 answer "reached?", then 1 / 2 "resolved?", then 1 / 2 / 3 the satisfaction; the
comment line takes the focus and Enter saves. A satisfied caller is recorded with
Enter 1 1 1 Enter from the queue. Not reached: 2 Enter (the retry rule of the settings
brings it back later, then closes it as unreachable). F2 starts the answers over.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Input, Label, Static

from screens.bindings import HotlineModal, show_text
from screens.role_strings import RoleLabels, rt
from workstation.errors import UserFacingError

SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied")
STEPS = ("reached", "resolved", "satisfaction")


class CallbackRecord(RoleLabels, HotlineModal[Any]):
    AUTO_FOCUS = None
    BINDINGS = [
        Binding("1", "choose(1)", "rk.answer1", show=False, id="callback.one"),
        Binding("2", "choose(2)", "rk.answer2", show=False, id="callback.two"),
        Binding("3", "choose(3)", "rk.answer3", show=False, id="callback.three"),
        Binding("f2", "restart", "rk.restart", id="callback.restart", priority=True),
        Binding("ctrl+s", "save", "rk.save", id="callback.save", priority=True),
        Binding("escape", "cancel", "rk.cancel", id="callback.cancel"),
    ]

    def __init__(
        self,
        order_id: str,
        summary: Text,
        run: Callable[[dict[str, Any]], Any],
        note: str = "",
    ) -> None:
        super().__init__()
        self.order_id = order_id
        self.summary = summary
        self.run = run
        self.note = note
        self.answers: dict[str, Any] = {}
        self.busy = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="callback-box", classes="dialog"):
            yield Static(
                Text(rt("cb.title", order=self.order_id), style="bold"), classes="dialog-title"
            )
            yield Static(self.summary, id="callback-summary", classes="script")
            for step in STEPS:
                yield Static(id=f"step-{step}", classes="cb-step")
            yield Static(id="callback-note", classes="home-hint")
            yield Label(rt("cb.comment"), classes="field-label")
            yield Input(id="callback-comment", compact=True, max_length=500, placeholder="…")
            yield Static(id="err-general", classes="field-error")

    def on_mount(self) -> None:
        show_text(self.query_one("#err-general", Static), None)
        self._show_steps()

    @property
    def step(self) -> str | None:
        """The question waiting for a key, or ``None`` when only the comment is left."""
        if "reached" not in self.answers:
            return "reached"
        if not self.answers["reached"]:
            return None
        for name in ("resolved", "satisfaction"):
            if name not in self.answers:
                return name
        return None

    def _show_steps(self) -> None:
        current = self.step
        for name in STEPS:
            widget = self.query_one(f"#step-{name}", Static)
            skip = name != "reached" and self.answers.get("reached") is False
            widget.display = not skip
            text = Text(rt(f"cb.{name}"))
            if name in self.answers:
                text.append("  → " + self._answer_label(name), style="bold")
            widget.update(text)
            widget.set_class(name == current, "-current")
            widget.set_class(name in self.answers, "-done")
        hint = self.note if self.answers.get("reached") is False else ""
        show_text(self.query_one("#callback-note", Static), Text(hint) if hint else None)
        comment = self.query_one("#callback-comment", Input)
        if current is None:
            comment.focus()
        elif self.focused is comment:
            self.set_focus(None)

    def _answer_label(self, name: str) -> str:
        value = self.answers[name]
        if name == "reached":
            return rt("cb.reached_yes" if value else "cb.reached_no")
        if name == "resolved":
            return rt("cb.resolved_yes" if value else "cb.resolved_no")
        return rt(f"sat.{value}")

    def action_choose(self, key: int) -> None:
        step = self.step
        if step is None:
            return
        if step == "satisfaction":
            if 1 <= key <= 3:
                self.answers[step] = SATISFACTION[key - 1]
        elif key in (1, 2):
            self.answers[step] = key == 1
        self._show_steps()

    def action_restart(self) -> None:
        self.answers = {}
        self._show_steps()

    def args(self) -> dict[str, Any]:
        out = dict(self.answers)
        out["comment"] = self.query_one("#callback-comment", Input).value.strip()
        return out

    @on(Input.Submitted, "#callback-comment")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        if self.busy:
            return
        show_text(self.query_one("#err-general", Static), None)
        self.busy = True
        self._save(self.args())

    @work(thread=True, exclusive=True, group="callback-save", exit_on_error=False)
    def _save(self, args: dict[str, Any]) -> None:
        try:
            result = self.run(args)
        except UserFacingError as exc:
            self.busy = False
            self.app.call_from_thread(self._refused, exc.message())
            return
        except BaseException:
            self.busy = False
            raise
        self.app.call_from_thread(self.dismiss, result if result is not None else True)

    def _refused(self, message: str) -> None:
        show_text(self.query_one("#err-general", Static), Text(message))

    def action_cancel(self) -> None:
        self.dismiss(None)
