"""Every piece of UI text, in Chinese (default) and English.

Screens call :func:`t` with a key; the language is the process-wide one of
``workstation.i18n`` (``--lang en``). Keeping the strings in one table makes a missing
translation a test failure rather than a surprise on a seat.
"""

from __future__ import annotations

from workstation.i18n import language

STRINGS: dict[str, tuple[str, str]] = {
    # app and login
    "app.title": ("12345 政务服务便民热线 · 坐席工作台", "12345 Hotline · Seat workstation"),
    "app.short": ("12345 受理", "12345 intake"),
    "login.title": ("登录", "Sign in"),
    "login.seat": ("坐席", "Seat"),
    "login.no_seat": (
        "本机尚未登记为坐席，请管理员执行 workstation enroll",
        "This computer is not enrolled as a seat; ask an administrator to run workstation enroll",
    ),
    "login.user": ("用户名", "User"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Sign in"),
    "login.busy": ("正在登录…", "Signing in…"),
    "login.offline": ("（离线登录）", "(offline sign-in)"),
    "login.required": ("请输入用户名和密码", "Enter user name and password"),
    # bindings
    "key.help": ("帮助", "Help"),
    "key.form": ("工单", "Order form"),
    "key.kb": ("知识库", "Knowledge base"),
    "key.take_call": ("接听来电", "Take incoming call"),
    "key.sync": ("同步", "Sync now"),
    "key.answer": ("知识答复", "Answered from article"),
    "key.reject": ("不予受理", "Not accepted"),
    "key.unit": ("选择单位", "Pick unit"),
    "key.link": ("关联工单", "Link to order"),
    "key.submit": ("提交", "Submit"),
    "key.new_call": ("清空/下一通", "Clear for next call"),
    "key.logout": ("注销", "Log out"),
    "key.quit": ("退出", "Quit"),
    "key.close": ("关闭", "Close"),
    "key.problems": ("同步问题", "Sync problems"),
    "key.apply": ("采用建议", "Apply suggestion"),
    "key.palette": ("命令", "commands"),
    "key.back": ("返回结果", "Back to results"),
    "key.up": ("上一条", "Previous result"),
    "key.down": ("下一条", "Next result"),
    "key.page_up": ("上一页", "Page up"),
    "key.page_down": ("下一页", "Page down"),
    "key.first": ("第一条", "First result"),
    "key.last": ("最后一条", "Last result"),
    "key.open": ("打开知识", "Open article"),
    "key.caller": ("来电人", "Caller"),
    # caller panel
    "caller.title": ("来电人", "Caller"),
    "caller.phone": ("号码", "Tel"),
    "caller.name": ("姓名", "Name"),
    "caller.channel": ("渠道", "Via"),
    "caller.confidential": ("保密", "Private"),
    "caller.history": ("历史工单", "Earlier orders"),
    "caller.history_none": ("历史工单：无历史工单{where}", "Earlier orders: none{where}"),
    "caller.history_count": ("历史工单（{count}{where}）", "Earlier orders ({count}{where})"),
    "caller.where_alone": ("（{source}）", " ({source})"),
    "caller.phone_declined": ("来电人不留电话", "Caller gives no phone"),
    "caller.contact_answered": ("已答复", "answered"),
    "caller.contact_rejected": ("不予受理", "not accepted"),
    "caller.history_hint": ("F9 关联所选未办结工单", "F9 links the selected open order"),
    "caller.source_online": ("联网查询", "online"),
    "caller.source_local": ("本机缓存", "local cache"),
    "caller.incoming": ("来电：{phone}", "Incoming call: {phone}"),
    "caller.no_incoming": ("没有待接来电", "No incoming call waiting"),
    "caller.linked": ("已关联到 {order}", "Linked to {order}"),
    "caller.link_closed": ("只能关联未办结的工单", "Only open orders can be linked"),
    "caller.link_pick": ("请先在历史工单中选择一张", "Select an earlier order first"),
    # channels
    "channel.phone": ("电话", "Phone"),
    "channel.web": ("网站", "Web"),
    "channel.sms": ("短信", "SMS"),
    "channel.mobile": ("移动端", "Mobile"),
    "channel.mailbox": ("信箱", "Mailbox"),
    # kb
    "kb.title": ("知识库", "Knowledge base"),
    "kb.search": ("输入关键词即搜（拼音亦可）", "Type to search (pinyin works)"),
    "kb.none": ("没有找到相关知识", "No matching articles"),
    "kb.unavailable": ("知识库不可用", "Knowledge base unavailable"),
    "kb.count": ("{n} 条结果", "{n} results"),
    "kb.count_fused": ("{n} 条结果（含语义匹配）", "{n} results (with semantic)"),
    "kb.semantic_off": ("语义检索未就绪（向量 {n}/{total}）", "semantic off: vectors {n}/{total}"),
    "kb.answered": ("已按知识直接答复办结：{id}", "Answered on the call from {id}"),
    "kb.pick_article": ("请先打开一篇知识", "Open an article first"),
    # form
    "form.title": ("工单", "Work order"),
    "form.content": ("诉求内容", "Request"),
    "form.type": ("类型", "Type"),
    "form.unit": ("承办单位", "Unit"),
    "form.unit_none": ("（F8 选择）", "(F8 to pick)"),
    "form.address": ("地址", "Address"),
    "form.investigation": ("需调查核实", "Investigate"),
    "form.leader": ("市领导批办", "City leader"),
    "form.deadline": ("办结时限：{deadline}（{days}）", "Deadline: {deadline} ({days})"),
    "form.deadline_none": ("办结时限：选择类型后显示", "Deadline: choose a type"),
    "form.submit": ("派单 F10", "Dispatch F10"),
    "form.reject": ("不予受理 F7", "Not accepted F7"),
    "form.suggest": ("建议：", "Suggested: "),
    "form.suggest_unit": ("单位 {unit}", "unit {unit}"),
    "form.suggest_reject": ("可能不予受理：{reason}", "possibly not accepted: {reason}"),
    "form.apply_suggestion": ("Ctrl+G 采用建议", "Ctrl+G applies"),
    "form.emergency": (
        "⚠ 紧急情况！请立即转接 {number}（{name}）：{words}",
        "⚠ EMERGENCY! Transfer to {number} ({name}) now: {words}",
    ),
    "form.dispatched": ("已派单 {order}", "Dispatched {order}"),
    "form.rejected": (
        "已登记不予受理：{reason}{transfer}{caller}",
        "Logged as not accepted: {reason}{transfer}{caller}",
    ),
    "form.rejected_transfer": ("，请转接 {number}", "; transfer to {number}"),
    "form.rejected_caller": ("（来电人 {caller}）", " (caller {caller})"),
    "form.override_done": (
        "已派单 {order}（派单理由已记录）",
        "Dispatched {order} (the override reason is recorded)",
    ),
    "override.title": ("助手提示：不应派单", "The assist says: do not dispatch"),
    "override.transfer": ("F7 转接 / 不予受理", "F7 Transfer / not accepted"),
    "override.reason": (
        "确需派单的理由（必填，记入工单轨迹）",
        "Reason to dispatch anyway (required, kept on the order's trail)",
    ),
    "override.required": (
        "请填写派单理由，或按 F7 转接",
        "Give a reason to dispatch anyway, or press F7 to transfer",
    ),
    "override.confirm": ("仍然派单 Ctrl+S", "Dispatch anyway Ctrl+S"),
    "form.draft_restored": ("已恢复未提交的草稿", "Restored the unsent draft"),
    "form.draft_offer": (
        "发现上次未提交的草稿（{when}），是否恢复？",
        "An unsent draft was found ({when}). Restore it?",
    ),
    "form.restore": ("恢复", "Restore"),
    "quit.confirm": ("正在受理来电，确定退出？", "A call is in progress. Quit?"),
    "quit.kept": (
        "已填写的内容已保存为草稿，下次启动时可恢复。",
        "What is typed is kept as a draft and offered on the next start.",
    ),
    "quit.yes": ("退出 Y", "Quit Y"),
    "quit.no": ("返回 N", "Back N"),
    "status.connecting": ("连接中…", "connecting…"),
    "form.discard": ("丢弃", "Discard"),
    "form.cleared": ("表单已清空，可接下一通", "Form cleared for the next call"),
    "form.working_days": ("{n} 个工作日", "{n} working days"),
    "form.fallback_calendar": ("按周一至周五推算", "weekday estimate"),
    # reject dialog
    "reject.title": ("不予受理", "Not accepted"),
    "reject.reason": ("原因", "Reason"),
    "reject.script": ("答复口径（请向来电人宣读）", "Script (read it to the caller)"),
    "reject.transfer": ("转接号码", "Transfer to"),
    "reject.explanation": ("向来电人所作解释", "Explanation given to the caller"),
    "reject.confirm": ("确认 Ctrl+S", "Confirm Ctrl+S"),
    "reject.cancel": ("取消 Esc", "Cancel Esc"),
    # unit picker
    "unit.title": (
        "选择承办单位（输入名称、简称或拼音）",
        "Pick a handling unit (name, short or pinyin)",
    ),
    "unit.suggested": ("建议", "suggested"),
    # sync footer
    "sync.online": ("● 在线", "● online"),
    "sync.offline": ("○ 离线", "○ offline"),
    "sync.pending": ("待同步 {n}", "{n} pending"),
    "sync.problems": ("问题 {n}", "{n} problems"),
    "sync.synced": ("已同步", "synced"),
    "sync.relogin": ("需重新登录", "log in again"),
    "sync.done": ("同步完成", "Sync finished"),
    "sync.failed": ("同步失败：{error}", "Sync failed: {error}"),
    "sync.problem_list": ("同步问题", "Sync problems"),
    "sync.no_problems": ("没有同步问题", "No sync problems"),
    # home placeholder
    "home.placeholder": (
        "{role} 的工作界面将在下一版本提供。",
        "The {role} home screen arrives in the next version.",
    ),
    "home.who": ("{name}（{user}，{role}）@ {seat}", "{name} ({user}, {role}) @ {seat}"),
    # roles
    "role.agent": ("坐席", "agent"),
    "role.callback": ("回访员", "callback operator"),
    "role.unit": ("承办单位", "handling unit"),
    "role.supervisor": ("督查中心", "supervisor"),
    "role.admin": ("管理员", "administrator"),
    # help
    "help.title": ("帮助 · 快捷键", "Help · keys"),
    "help.intro": (
        "一通来电：输入号码 → 搜索知识库（F3）→ 填写诉求（F2）→ 派单（F10）或不予受理（F7）。"
        "所有操作也可用 Ctrl+P 命令面板完成。草稿随输随存。",
        "One call: phone → search the KB (F3) → fill in the request (F2) → dispatch (F10) or "
        "not accepted (F7). Every action is also in the Ctrl+P command palette. Drafts save "
        "as you type.",
    ),
    "error.generic": ("操作失败：{error}", "Failed: {error}"),
    # the key bar (short labels), the help and the palette (long labels), find
    "key.form.short": ("工单", "Form"),
    "key.kb.short": ("知识库", "KB"),
    "key.take_call.short": ("接听", "Call"),
    "key.sync.short": ("同步", "Sync"),
    "key.answer.short": ("答复", "Answer"),
    "key.reject.short": ("不受理", "Reject"),
    "key.unit.short": ("单位", "Unit"),
    "key.link.short": ("关联", "Link"),
    "key.dispatch": ("派单", "Dispatch"),
    "key.dispatch.long": ("提交派单（派给承办单位）", "Submit: dispatch the order to the unit"),
    "key.web": ("网络诉求", "Web requests"),
    "key.web.short": ("网络", "Web"),
    "key.find": ("查找", "Find"),
    "key.find.long": ("查找工单（单号、电话或内容）", "Find an order (number, phone or words)"),
    "key.palette.short": ("命令", "Cmds"),
    "key.palette.long": ("命令面板", "Command palette"),
    "key.dismiss_menu": ("收起列表", "Close list"),
    "palette.placeholder": (
        "输入操作或单号、电话、内容…",
        "Type an action, or an order, phone, words…",
    ),
    "find.palette": ("查找工单：{query}", "Find orders: {query}"),
    "find.title": ("查找工单", "Find an order"),
    "find.hint": (
        "输入单号、电话或内容中的词，回车查看工单和办理记录",
        "Type an order number, a phone or words of the content; Enter shows the order and its trail",
    ),
    "find.none": ("没有找到“{query}”", "Nothing found for '{query}'"),
    "find.count": ("找到 {n} 张工单", "{n} orders found"),
    "find.more": (
        "（只列出最新 {n} 张，请加词缩小范围）",
        "(newest {n} shown; add words to narrow)",
    ),
    "find.placeholder": ("单号、电话或内容", "order number, phone or words"),
    "find.trail": ("办理记录", "Event trail"),
    "find.open": ("查看", "Show"),
    "unit.pick_first": (
        "请先选择承办单位（回车打开单位列表）",
        "Pick a unit first (Enter opens the list)",
    ),
    "unit.none": ("（未选择，回车选择）", "(none: press Enter to pick)"),
    "unit.filter": (
        "输入名称、简称或拼音首字母（如 cgj），↓ 选择，回车确定",
        "Type a name, short name or pinyin initials (e.g. cgj); Down to move, Enter to pick",
    ),
}


def t(key: str, **values: object) -> str:
    """The UI text for ``key`` in the current language, with ``{name}`` values filled in."""
    zh, en = STRINGS[key]
    text = zh if language() == "zh" else en
    return text.format(**values) if values else text
