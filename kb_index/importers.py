"""Importers: JSON Lines, CSV with a header, a folder of Markdown files with front matter.

Every malformed record is reported with its line number (for Markdown, the file and the
line); the good ones are imported in one transaction, or none at all with ``strict``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb_index.article import Article
from kb_index.errors import ImportFailed, ImportSourceError
from kb_index.knowledge_base import KnowledgeBase
from workstation.errors import UserFacingError
from workstation.i18n import tr


@dataclass
class ImportReport:
    imported: int = 0
    errors: list[tuple[str, int, str]] = field(default_factory=list)  # (source, line, message)

    def lines(self) -> list[str]:
        return [f"{src}:{line}: {msg}" for src, line, msg in self.errors]


def import_path(kb: KnowledgeBase, path: str | Path, strict: bool = False) -> ImportReport:
    """Read ``path`` (by its suffix, or a folder of ``.md``) and upsert the articles."""
    path = Path(path)
    if path.is_dir():
        records = _markdown_folder(path)
    elif not path.exists():
        raise ImportSourceError(f"找不到导入文件：{path}", f"no such file: {path}")
    elif path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        records = _jsonl(path)
    elif path.suffix.lower() == ".csv":
        records = _csv(path)
    elif path.suffix.lower() in (".md", ".markdown"):
        records = _markdown_files([path])
    else:
        raise ImportSourceError(
            f"不支持的格式：{path.suffix}（支持 .jsonl、.csv、Markdown 文件夹）",
            f"unsupported format {path.suffix!r} (use .jsonl, .csv or a folder of .md)",
        )
    report = ImportReport()
    good: dict[str, Article] = {}
    for source, line, data in records:
        if isinstance(data, str):
            report.errors.append((source, line, data))
            continue
        try:
            article = Article.from_mapping(data)
        except UserFacingError as exc:
            report.errors.append((source, line, exc.message()))
            continue
        good[article.id] = article
    if strict and report.errors:
        raise ImportFailed(
            f"发现 {len(report.errors)} 条格式错误，未导入任何条目："
            + "; ".join(report.lines()[:5]),
            f"{len(report.errors)} malformed record(s), nothing imported: "
            + "; ".join(report.lines()[:5]),
            errors=report.lines(),
        )
    kb.upsert_many(good.values())
    report.imported = len(good)
    return report


Record = tuple[str, int, "dict[str, Any] | str"]


def _jsonl(path: Path) -> Iterator[Record]:
    with path.open(encoding="utf-8-sig", errors="replace") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                yield (
                    path.name,
                    number,
                    tr(f"不是有效的 JSON：{exc.msg}", f"invalid JSON: {exc.msg}"),
                )
                continue
            yield path.name, number, data


def _csv(path: Path) -> Iterator[Record]:
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or "id" not in reader.fieldnames:
            yield (
                path.name,
                1,
                tr(
                    "表头至少要有 id 和 title 两列",
                    "the header must name at least the columns id and title",
                ),
            )
            return
        for row in reader:
            if None in row:
                yield (
                    path.name,
                    reader.line_num,
                    tr("值比表头的列多", "more values than header columns"),
                )
                continue
            if any(v is None for v in row.values()):
                yield (
                    path.name,
                    reader.line_num,
                    tr("值比表头的列少", "fewer values than header columns"),
                )
                continue
            yield path.name, reader.line_num, dict(row)


def _markdown_folder(folder: Path) -> Iterator[Record]:
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".md", ".markdown"))
    yield from _markdown_files(files, folder)


def _markdown_files(files: list[Path], root: Path | None = None) -> Iterator[Record]:
    for path in files:
        name = str(path.relative_to(root)) if root else path.name
        text = path.read_text(encoding="utf-8-sig", errors="replace")
        data = parse_front_matter(text, default_id=path.stem)
        if isinstance(data, tuple):
            yield name, data[0], data[1]
        else:
            yield name, 1, data


def parse_front_matter(text: str, default_id: str) -> dict[str, Any] | tuple[int, str]:
    """``---`` / ``key: value`` lines / ``---`` then the body; a ``# heading`` may give the title.

    Returns the record, or ``(line, message)`` for a malformed file.
    """
    lines = text.splitlines()
    data: dict[str, Any] = {"id": default_id}
    body_start = 0
    if lines and lines[0].strip() == "---":
        for number in range(1, len(lines)):
            line = lines[number]
            if line.strip() == "---":
                body_start = number + 1
                break
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if line.startswith(("  - ", "- ")) and isinstance(data.get("_list"), str):
                data.setdefault(data["_list"] + "_items", []).append(line.split("-", 1)[1].strip())
                continue
            if ":" not in line:
                return number + 1, tr(
                    f"前言行不是 “键: 值” 的形式：{line.strip()[:40]}",
                    f"front matter line is not 'key: value': {line.strip()[:40]}",
                )
            key, value = line.split(":", 1)
            key, value = key.strip(), value.strip().strip("'\"")
            data["_list"] = key if not value else None
            data[key] = value
        else:
            return 1, tr("前言没有以 “---” 结束", "front matter not closed with '---'")
    for key in list(data):
        if key.endswith("_items"):
            data[key[: -len("_items")]] = data.pop(key)
    data.pop("_list", None)
    body = "\n".join(lines[body_start:]).strip()
    if not data.get("title") and body.startswith("# "):
        heading, _, body = body.partition("\n")
        data["title"] = heading[2:].strip()
    data["body"] = body.strip()
    return data
