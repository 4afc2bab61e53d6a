"""UI text of the unit, supervision and callback home screens, in Chinese and English.

Kept apart from :mod:`screens.i18n_strings` (the intake screens' table) so the two can
change independently; :func:`rt` looks here first and falls back to :func:`t`, and
:class:`RoleLabels` translates binding descriptions that are keys of this table.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from workstation.i18n import language

if TYPE_CHECKING:
    from textual.binding import ActiveBinding

ROLE_STRINGS: dict[str, tuple[str, str]] = {
    # keys
    "rk.sign": ("签收", "Sign for"),
    "rk.return": ("退回", "Return"),
    "rk.extend": ("延期", "Extension"),
    "rk.reply": ("答复", "Reply"),
    "rk.propose": ("提交知识", "Propose article"),
    "rk.next_tab": ("切换页", "Next tab"),
    "rk.record": ("登记回访", "Record callback"),
    "rk.notify": ("已告知", "Caller told"),
    "rk.decide": ("审批延期", "Decide extension"),
    "rk.reassign": ("改派", "Reassign"),
    "rk.rehandle": ("重办", "Re-handle"),
    "rk.close": ("办结", "Close"),
    "rk.export": ("导出", "Export"),
    "rk.prev": ("上一期", "Previous period"),
    "rk.next": ("下一期", "Next period"),
    "rk.chart": ("表/图", "Table/chart"),
    "rk.publish": ("发布", "Publish"),
    "rk.reject": ("退回提案", "Reject proposal"),
    "rk.refresh": ("刷新", "Refresh"),
    "rk.cancel": ("取消", "Cancel"),
    "rk.save": ("保存", "Save"),
    "rk.answer1": ("选 1", "Answer 1"),
    "rk.answer2": ("选 2", "Answer 2"),
    "rk.answer3": ("选 3", "Answer 3"),
    "rk.restart": ("重新选择", "Start over"),
    # tabs and titles
    "tab.inbox": ("待办工单", "Inbox"),
    "tab.notices": ("催办通报", "Notices"),
    "tab.kb": ("知识提案", "KB proposals"),
    "tab.board": ("督查看板", "Board"),
    "tab.callbacks": ("回访", "Callbacks"),
    "tab.assessment": ("考核", "Assessment"),
    "tab.queue": ("回访队列", "Callback queue"),
    "tab.tell": ("延期告知", "Tell callers"),
    "home.unit": ("承办单位", "Handling unit"),
    "home.supervision": ("督查中心", "Supervision"),
    "home.callback": ("回访", "Callback"),
    # buckets and board sections
    "bucket.new": ("新派", "new"),
    "bucket.signed": ("已签收", "signed"),
    "bucket.due_soon": ("临期", "due soon"),
    "bucket.overdue": ("超期", "overdue"),
    "bucket.returned": ("已退回", "returned"),
    "bucket.extension": ("延期中", "ext. asked"),
    "board.overdue": ("超期", "overdue"),
    "board.extension": ("延期申请", "extension"),
    "board.returned": ("退回", "returned"),
    "board.dissatisfied": ("不满意", "dissatisfied"),
    "board.notify": ("待告知", "tell caller"),
    "board.override": ("违提示派单", "overridden"),
    "board.published": ("已公开", "public"),
    "board.withheld": ("不公开", "withheld"),
    "board.default_public": ("默认公开", "public*"),
    "board.default_withheld": ("默认不公开", "hidden*"),
    "board.confidential": ("保密", "private"),
    # columns
    "col.kind": ("类别", "Kind"),
    "col.order": ("工单号", "Order"),
    "col.left": ("剩余", "Left"),
    "col.content": ("诉求", "Request"),
    "col.unit": ("单位", "Unit"),
    "col.number": ("编号", "Number"),
    "col.date": ("日期", "Date"),
    "col.tries": ("次", "Try"),
    "col.title": ("标题", "Title"),
    "col.status": ("状态", "Status"),
    # countdown
    "days.left": ("剩{n}日", "{n}d left"),
    "days.today": ("今日到期", "due today"),
    "days.over": ("超{n}日", "{n}d over"),
    # detail
    "detail.none": ("（未选择工单）", "(no order selected)"),
    "detail.type": ("类型", "Type"),
    "detail.state": ("状态", "State"),
    "detail.unit": ("承办", "Unit"),
    "detail.deadline": ("期限", "Deadline"),
    "detail.caller": ("来电人", "Caller"),
    "detail.content": ("诉求", "Request"),
    "detail.address": ("地址", "Address"),
    "detail.reply": ("办理结果", "Result"),
    "detail.extension": ("延期", "Extension"),
    "detail.ext_text": (
        "申请延至 {date}（{status}）：{reason}",
        "to {date} ({status}): {reason}",
    ),
    "detail.returned": ("退回", "Returned"),
    "detail.return_text": (
        "{unit}：{reason}（依据：{basis}）",
        "{unit}: {reason} (basis: {basis})",
    ),
    "detail.window_open": ("可退回至 {end}", "may be returned until {end}"),
    "detail.window_closed": (
        "已过退回期限（{end}），不能退回；请按期办理或申请延期",
        "the return window closed at {end}; handle the order or ask for an extension",
    ),
    "detail.leader": ("市领导批办", "city-leader instruction"),
    "detail.confidential": ("保密", "confidential"),
    "detail.callback": ("回访", "Callback"),
    "detail.callback_text": ("已回访 {n} 次", "{n} attempts"),
    "detail.pending": ("待同步", "not yet synced"),
    "ext.pending": ("待审批", "pending"),
    "ext.approved": ("已同意", "approved"),
    "ext.rejected": ("不同意", "rejected"),
    # dialogs
    "dlg.submit": ("确定 Ctrl+S", "OK Ctrl+S"),
    "dlg.cancel": ("取消 Esc", "Cancel Esc"),
    "dlg.busy": ("正在保存…", "Saving…"),
    "ret.title": ("退回工单 {order}", "Return order {order}"),
    "ret.reason": ("退回理由", "Reason"),
    "ret.basis": ("依据（职责文件、法规条款）", "Basis (duties, regulation)"),
    "ext.title": ("申请延期 {order}", "Request an extension for {order}"),
    "ext.date": ("承诺办结日期（YYYY-MM-DD）", "Committed date (YYYY-MM-DD)"),
    "ext.reason": ("延期理由", "Reason"),
    "ext.note": ("当前期限 {deadline}", "Current deadline {deadline}"),
    "ext.late": (
        "已过办理期限 {deadline}，不能再申请延期",
        "The deadline {deadline} has passed; no extension can be requested",
    ),
    "reply.title": ("答复办结 {order}", "Reply to {order}"),
    "reply.result": ("办理结果", "Result"),
    "dec.title": ("审批延期 {order}", "Decide the extension of {order}"),
    "dec.choice": ("决定", "Decision"),
    "dec.approve": ("同意延期", "Approve"),
    "dec.reject": ("不同意", "Reject"),
    "dec.comment": ("意见（不同意时必填）", "Comment (required to reject)"),
    "dec.note": ("申请延至 {date}，理由：{reason}", "Asks for {date}: {reason}"),
    "reas.title": ("改派 {order}", "Reassign {order}"),
    "reas.unit": ("改派给", "New unit"),
    "reas.reason": ("改派理由（必填）", "Reason (required)"),
    "reh.title": ("重办 {order}", "Re-handle {order}"),
    "reh.reason": ("重办理由", "Reason"),
    "reh.unit": ("承办单位", "Unit"),
    "close.title": ("办结归档 {order}", "Close {order}"),
    "close.explanation": ("办结说明", "Explanation"),
    "tell.title": ("告知来电人延期 {order}", "Tell the caller about {order}"),
    "tell.comment": ("告知情况", "What the caller was told"),
    "tell.note": ("已同意延期至 {date}", "Extension approved until {date}"),
    "kb.title": ("提交知识条目", "Propose a KB article"),
    "kb.article_title": ("标题", "Title"),
    "kb.body": ("答复口径", "Answer"),
    "kb.category": ("分类", "Category"),
    "kb.replaces": ("修改的条目编号（新增留空）", "Article id to change (empty: new)"),
    "kb.basis": ("政策依据（文件名称、文号）", "Policy basis (document, number)"),
    "kb.review": ("审核知识提案", "Review proposal"),
    "kb.review_comment": ("审核意见", "Comment"),
    "kb.status.pending": ("待审核", "pending"),
    "kb.status.published": ("已发布", "published"),
    "kb.status.rejected": ("已退回", "rejected"),
    # callback dialog
    "cb.title": ("回访 {order}", "Callback {order}"),
    "cb.reached": ("是否联系上：1 联系上  2 未联系上", "Reached: 1 yes  2 no"),
    "cb.resolved": ("问题是否解决：1 已解决  2 未解决", "Resolved: 1 yes  2 no"),
    "cb.satisfaction": (
        "满意度：1 满意  2 基本满意  3 不满意",
        "Satisfaction: 1 satisfied  2 basically  3 dissatisfied",
    ),
    "cb.comment": ("备注（回车保存）", "Comment (Enter saves)"),
    "cb.yes": ("是", "yes"),
    "cb.no": ("否", "no"),
    "cb.reached_yes": ("联系上", "reached"),
    "cb.reached_no": ("未联系上", "not reached"),
    "cb.resolved_yes": ("已解决", "resolved"),
    "cb.resolved_no": ("未解决", "not resolved"),
    "sat.satisfied": ("满意", "satisfied"),
    "sat.basically_satisfied": ("基本满意", "basically satisfied"),
    "sat.dissatisfied": ("不满意", "dissatisfied"),
    "cb.reply": ("答复", "Reply"),
    "cb.retry_note": (
        "未联系上：{hours} 小时后再回访，共 {n} 次后按无法联系办结",
        "Not reached: retry in {hours} h; closed as unreachable after {n} tries",
    ),
    # results
    "done.sign": ("已签收 {order}", "Signed for {order}"),
    "done.return_order": ("已退回 {order}", "Returned {order}"),
    "done.request_extension": ("已申请延期 {order}", "Extension requested for {order}"),
    "done.reply": ("已答复 {order}", "Replied to {order}"),
    "done.decide_extension": ("已审批 {order}", "Decided {order}"),
    "done.reassign": ("已改派 {order}", "Reassigned {order}"),
    "done.rehandle": ("已重办 {order}", "Re-handling {order}"),
    "done.close": ("已办结 {order}", "Closed {order}"),
    "done.notify_caller": ("已告知 {order}", "Caller told about {order}"),
    "done.record_callback": ("已登记回访 {order}", "Callback recorded for {order}"),
    "done.propose": ("已提交知识提案，待督查中心审核", "Proposal sent for review"),
    "done.review": ("已审核提案", "Proposal reviewed"),
    "done.export": ("已导出：{path}", "Exported: {path}"),
    "pick.order": ("请先选择一张工单", "Select an order first"),
    "pick.notice": ("没有可导出的通知书", "No notices to export"),
    "pick.proposal": ("请先选择一条提案", "Select a proposal first"),
    "not.section": ("所选工单不适用此操作", "That action does not apply to the selected row"),
    "empty.inbox": ("没有待办工单", "Nothing in the inbox"),
    "empty.queue": ("没有待回访的工单", "No callbacks due"),
    "empty.board": ("看板上没有待处理事项", "Nothing on the board"),
    # assessment
    "asm.period": ("考核期：{start} 至 {end}（{n} 个单位）", "Period {start} to {end} ({n} units)"),
    "asm.none": ("本期没有工单", "No orders in this period"),
    "asm.chart": ("满意率 / 按时办结率（%）", "Satisfaction / on-time rate (%)"),
    "notice.urging": ("催办通知书", "Urging notice"),
    "notice.criticism": ("通报批评", "Criticism notice"),
    "notice.copied": ("抄送：{who}", "Copied to: {who}"),
    # short labels of the key bar
    "rk.sign.short": ("签收", "Sign"),
    "rk.extend.short": ("延期", "Extend"),
    "rk.propose.short": ("提交知识", "Propose"),
    "rk.next_tab.short": ("切换页", "Tab"),
    "rk.record.short": ("登记回访", "Record"),
    "rk.notify.short": ("已告知", "Told"),
    "rk.decide.short": ("审批", "Decide"),
    "rk.notify.long": ("已告知来电人（延期获批）", "Caller told (approved extension)"),
    "rk.decide.long": ("审批延期申请", "Decide an extension request"),
    "rk.close.long": (
        "办结（不满意后说明结案）",
        "Close (with an explanation after dissatisfaction)",
    ),
    "rk.co_handler": ("协办", "Co-handler"),
    "rk.publication": ("公开", "Publish"),
    "rk.publication.long": (
        "公开或撤下所选已办结工单（市民网页）",
        "Publish or withhold the selected closed order (citizens' page)",
    ),
    "pub.not_closed": (
        "只有已办结的工单可以公开，请选择看板下方的已办结工单",
        "Only closed orders can be published: pick one from the board's closed rows",
    ),
    "pub.confidential": (
        "来电人要求保密，此工单不能公开",
        "The caller asked for confidentiality: this order is never published",
    ),
    "pub.done_publish": ("已公开 {order}", "Published {order}"),
    "pub.done_withhold": ("已撤下 {order}，不再公开", "Withheld {order} from the public page"),
    "rk.co_handler.long": ("增加协办单位", "Add a co-handling unit"),
    "co.title": ("增加协办 {order}", "Add a co-handler to {order}"),
    "co.unit": ("协办单位", "Co-handling unit"),
    "co.reason": ("协办理由（必填）", "Reason (required)"),
    "done.add_co_handler": ("已为 {order} 增加协办单位", "Co-handler added to {order}"),
}


def rt(key: str, **values: object) -> str:
    """The text for ``key`` (this table, else the intake table) in the current language."""
    pair = ROLE_STRINGS.get(key)
    if pair is None:
        from screens.i18n_strings import t

        return t(key, **values)
    text = pair[0] if language() == "zh" else pair[1]
    return text.format(**values) if values else text


def rlabel(description: str) -> str:
    return rt(description) if description in ROLE_STRINGS else description


class RoleLabels:
    """Mixin placed before ``HotlineScreen``: binding descriptions from this table."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        found = super().active_bindings  # type: ignore[misc]
        return {
            key: active._replace(
                binding=replace(active.binding, description=rlabel(active.binding.description))
            )
            for key, active in found.items()
        }
