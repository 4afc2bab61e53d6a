"""F1: the workflow of the screen underneath and every key it has, in the user's language.

The workflow text is per role (agent, unit, supervisor, callback): a unit user pressing
F1 must read how to sign for and reply to orders, not how to take a call. The screen
underneath may name its role with ``HELP_ROLE``; otherwise the session's role is used.
The keys table is the screen's :func:`~screens.bindings.key_actions`, the list the key bar
and the palette read too, so the three always agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from screens.bindings import HotlineModal, HotlineScreen
from screens.key_actions import key_actions

if TYPE_CHECKING:
    from workstation.seat_api import Session

# role -> (title, workflow steps), each as (zh, en)
HELP: dict[str, tuple[tuple[str, str], tuple[tuple[str, str], ...]]] = {
    "agent": (
        ("帮助 · 受理", "Help · intake"),
        (
            (
                "一通来电：输入号码（历史工单自动显示）→ 搜索知识库（F3）→ 填写诉求（F2）"
                "→ 选择单位（F8）→ 派单（F10）。",
                "One call: phone (earlier orders show) → search the KB (F3) → fill in the "
                "request (F2) → pick the unit (F8) → dispatch (F10).",
            ),
            (
                "咨询可按所选知识库文章直接答复办结（F6）；不属受理范围的不予受理（F7）并说明"
                "理由；同一事项的重复来电关联到原工单（F9）。",
                "Answer a consultation from the chosen article (F6); not accepted (F7) with the "
                "reason explained; a repeat call about the same matter links to its order (F9).",
            ),
            (
                "网上、移动端诉求：F11（或命令面板）打开待受理列表，回车载入表单，再派单、"
                "答复、不予受理或关联；处理后从列表中移除。",
                "Web and mobile requests: F11 (or the palette) opens the waiting list, Enter "
                "loads one into the form; dispatch, answer, reject or link it; it leaves the list.",
            ),
            (
                "紧急情况（110、119、120、122）在表单顶部醒目提示，请立即转接。草稿随输随存，"
                "Ctrl+N 清空准备下一通。",
                "Emergencies (110, 119, 120, 122) are flagged at the top of the form: transfer "
                "at once. Drafts save as you type; Ctrl+N clears for the next call.",
            ),
        ),
    ),
    "unit": (
        ("帮助 · 承办单位", "Help · handling unit"),
        (
            (
                "新派工单请先签收（F2），每张工单只签收一次。",
                "Sign for each new order first (F2); an order is signed once.",
            ),
            (
                "不属本单位的，派单后 2 个工作日内退回（F3），写明理由和依据。",
                "Not yours: return it (F3) within 2 working days of dispatch, with reason "
                "and basis.",
            ),
            (
                "期限内办不完的，在期限前申请延期（F4），填写承诺日期和理由；办结后答复（F6），"
                "工单转入回访。",
                "Cannot finish in time: ask for an extension (F4) before the deadline, with the "
                "committed date and reason. Reply when done (F6); the order goes to callback.",
            ),
            (
                "“剩N日”为剩余工作日，超期和临期排在最前；F8 切换待办、催办通报和知识提案，"
                "F7 提交知识库文章建议。",
                "'N days left' counts working days; overdue and due-soon come first. F8 switches "
                "inbox, notices and KB proposals; F7 proposes a KB article.",
            ),
        ),
    ),
    "supervisor": (
        ("帮助 · 督查中心", "Help · supervision"),
        (
            (
                "督查看板列出超期、延期申请、退回、不满意和待告知工单；回车执行该行的下一步。",
                "The board lists overdue orders, extension requests, returns, dissatisfied "
                "callbacks and callers to tell; Enter does the row's next step.",
            ),
            (
                "F2 审批延期，F3 改派，F4 重办，F6 办结，F7 已告知来电人，F12 增加协办；"
                "F8 切换页；Ctrl+F 按单号、电话或内容查找任何工单。改派和协办须写明理由。",
                "F2 decide an extension, F3 reassign, F4 re-handle, F6 close, F7 caller told, "
                "F12 add a co-handler; F8 next tab; Ctrl+F finds any order by number, phone or "
                "words. Reassigning and co-handlers need a reason.",
            ),
            (
                "市领导批办工单的回访在“回访”页；催办、通报记录在“催办通报”页。",
                "Callbacks of city-leader orders are on the Callbacks tab; urging and "
                "criticism notices on the Notices tab.",
            ),
            (
                "考核页：[ 和 ] 切换月份，g 切换表格或图表，F9 导出（考核为 CSV、XLSX，"
                "通报为文本、PDF）。",
                "Assessment: [ and ] change the month, g toggles table/chart, F9 exports "
                "(assessment as CSV and XLSX, notices as text and PDF).",
            ),
            (
                "考核口径（按本期发生的事件计）：接收＝本期派给该单位（含改派、重办）；超期＝本期"
                "逾期答复、逾期退回，或期末（当前）仍未答复且已过期限（与待办、看板的“超期”同一"
                "判定，延期申请待批时暂停计时），跨期未办结的每期都计；催办、通报＝本期发出的通知书"
                "数；按时办结＝本期按期答复；回访＝本期回访结果。详见 docs/assessment.md。",
                "Assessment figures count the period's events: received = assigned to the unit "
                "in the period (incl. reassignment, re-handling); overdue = replied or given up "
                "late in the period, or still unanswered past the deadline at its end (now for "
                "this month; the same test as the inbox and board, paused while an extension "
                "request is pending), so an order open across months counts in each; urged / "
                "criticised = notices issued in the period; on time = replies by the deadline "
                "in the period; callbacks = recorded in the period. See docs/assessment.md.",
            ),
        ),
    ),
    "callback": (
        ("帮助 · 回访", "Help · callback"),
        (
            (
                "回访队列按先后排列，只列出到时间的；F2 登记回访：是否联系上、是否解决、"
                "满意度和意见。",
                "The queue is oldest first and lists only callbacks that are due; F2 records "
                "one: reached, resolved, satisfaction and comment.",
            ),
            (
                "未联系上的换个时间再试，三次未联系上按无法联系结束。",
                "Not reached: it comes back later at another time; after three tries it is "
                "closed as unreachable.",
            ),
            (
                "“延期告知”页：延期获批后告知来电人，告知后按 F4 记录；F8 切换页。",
                "Tell callers: after an approved extension tell the caller, then F4 records it; "
                "F8 switches tabs.",
            ),
        ),
    ),
}


def help_role(screen: Screen[Any], session: Session | None) -> str:
    """The role whose help to show: the screen's ``HELP_ROLE``, else the session's role."""
    own = screen.HELP_ROLE if isinstance(screen, HotlineScreen) else None
    value = own or (session.role.value if session else "agent")
    return value if value in HELP else "agent"


def help_text(role: str, lang: str) -> tuple[str, list[str]]:
    """(title, workflow lines) of ``role`` in ``lang`` (zh or en)."""
    index = 0 if lang == "zh" else 1
    title, steps = HELP.get(role, HELP["agent"])
    return title[index], [step[index] for step in steps]


class HelpScreen(HotlineModal[None]):
    BINDINGS = [
        Binding("escape,f1", "dismiss", "key.close", id="help.close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box", classes="dialog"):
            yield Static(id="help-title", classes="dialog-title")
            yield Static(id="help-intro")
            yield Static(id="help-keys")

    def on_mount(self) -> None:
        from workstation.i18n import language

        below = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else self
        session = self.services.session
        self.help_for = help_role(below, session)
        title, steps = help_text(self.help_for, language())
        self.query_one("#help-title", Static).update(Text(title, style="bold"))
        intro = Text()
        for n, step in enumerate(steps, 1):
            intro.append(f"{n}. {step}\n")
        self.query_one("#help-intro", Static).update(intro)
        table = Table(box=None, show_header=False, padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for action in key_actions(below):  # what the key bar and the palette list too
            table.add_row(action.display, action.long)
        self.keys_table = table
        self.query_one("#help-keys", Static).update(table)
