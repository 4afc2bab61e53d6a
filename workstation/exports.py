"""Exports of the supervision center: notices as text and PDF, the assessment as CSV and XLSX.

No Textual and no I/O beyond the file asked for, so the screens (in a thread worker) and
the command line can share them. Notices are duck-typed: anything with ``number, kind,
order_id, unit, issued_at, text, copied_to`` (``offline_cache.records.NoticeRow``,
``workstation.models.Notice``). The PDF uses reportlab's built-in Chinese font
(STSong-Light), so it needs no font file on the seat.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

KIND_TITLES = {
    "urging": ("催办通知书", "Urging notice"),
    "criticism": ("通报批评", "Criticism notice"),
}


def _kind(kind: Any, lang: str) -> str:
    value = str(getattr(kind, "value", kind))
    zh, en = KIND_TITLES.get(value, (value, value))
    return zh if lang == "zh" else en


def _when(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def notice_heading(notice: Any, lang: str = "zh") -> str:
    return f"{_kind(notice.kind, lang)}  {notice.number}"


def notices_text(notices: Iterable[Any], lang: str = "zh") -> str:
    """All notices as plain text, one after the other, separated by a rule."""
    parts = []
    labels = (
        ("工单", "单位", "签发", "抄送")
        if lang == "zh"
        else ("Order", "Unit", "Issued", "Copied to")
    )
    for n in notices:
        lines = [
            notice_heading(n, lang),
            f"{labels[0]}：{n.order_id}    {labels[1]}：{n.unit}    {labels[2]}：{_when(n.issued_at)}",
        ]
        if getattr(n, "copied_to", ""):
            lines.append(f"{labels[3]}：{n.copied_to}")
        lines += ["", str(n.text or "").rstrip(), ""]
        parts.append("\n".join(lines))
    return ("\n" + "-" * 40 + "\n\n").join(parts)


def write_notices_text(notices: Sequence[Any], path: Path, lang: str = "zh") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(notices_text(notices, lang), encoding="utf-8")
    return path


def write_notices_pdf(notices: Sequence[Any], path: Path, lang: str = "zh") -> Path:
    """One notice per page, A4, Chinese text wrapped character by character."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=26, alignment=1)
    meta = ParagraphStyle("meta", fontName=font, fontSize=10, leading=15, alignment=1)
    body = ParagraphStyle("body", fontName=font, fontSize=12, leading=20, wordWrap="CJK")
    story: list[Any] = []
    for i, n in enumerate(notices):
        if i:
            story.append(PageBreak())
        story.append(Paragraph(escape(_kind(n.kind, lang)), title))
        story.append(Paragraph(escape(str(n.number)), meta))
        story.append(Spacer(1, 8 * mm))
        for para in str(n.text or "").split("\n"):
            story.append(Paragraph(escape(para) or "&nbsp;", body))
        if getattr(n, "copied_to", ""):
            story.append(Spacer(1, 6 * mm))
            label = "抄送" if lang == "zh" else "Copied to"
            story.append(Paragraph(escape(f"{label}：{n.copied_to}"), body))
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = SimpleDocTemplate(
        str(path), pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm, topMargin=25 * mm,
        bottomMargin=25 * mm, title=_kind("urging", lang), author="12345",
    )  # fmt: skip
    doc.build(story)
    return path


# -- assessment -----------------------------------------------------------------------------


def assessment_table(assessment: Any, lang: str = "zh") -> list[list[Any]]:
    """Heading row, one row per unit, the totals row; rates as fractions (or empty)."""
    from workstation.assessment import LABELS, columns

    names = columns()
    table: list[list[Any]] = [[LABELS[c][0 if lang == "zh" else 1] for c in names]]
    for row in [*assessment.rows, assessment.totals]:
        data = row.to_dict()
        table.append(["" if data.get(c) is None else data.get(c) for c in names])
    return table


def assessment_csv(assessment: Any, lang: str = "zh") -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese headings."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in assessment_table(assessment, lang):
        writer.writerow(row)
    return out.getvalue().encode("utf-8-sig")


def write_assessment_csv(assessment: Any, path: Path, lang: str = "zh") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(assessment_csv(assessment, lang))
    return path


def write_assessment_xlsx(assessment: Any, path: Path, lang: str = "zh") -> Path:
    """One sheet, bold headings, rates formatted as percentages, the period in the title."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from workstation.assessment import RATES, columns

    wb = Workbook()
    ws = wb.active
    ws.title = "考核" if lang == "zh" else "Assessment"
    period = f"{assessment.start:%Y-%m-%d} – {assessment.end:%Y-%m-%d}"
    ws.append([("承办单位考核 " if lang == "zh" else "Unit assessment ") + period])
    ws["A1"].font = Font(bold=True, size=13)
    table = assessment_table(assessment, lang)
    for row in table:
        ws.append(row)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    names = columns()
    for offset, name in enumerate(names, start=1):
        if name in RATES:
            for r in range(3, ws.max_row + 1):
                ws.cell(row=r, column=offset).number_format = "0.0%"
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.column_dimensions["B"].width = 28
    ws.freeze_panes = "C3"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
