"""``workstation kb import|search``: load articles into the seat's index and query it.

Nothing heavy is imported here at module level; handlers import what they need.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    kb = subparsers.add_parser("kb", help="knowledge base: import and search articles")
    kb_sub = kb.add_subparsers(dest="kb_command", metavar="KB_COMMAND")
    kb.set_defaults(handler=lambda args: (kb.print_help(), 2)[1])

    imp = kb_sub.add_parser("import", help="import JSON Lines, CSV or a folder of Markdown")
    imp.add_argument("path", metavar="PATH")
    imp.add_argument("--db", metavar="FILE", help="SQLite file (default: the seat's local cache)")
    imp.add_argument("--strict", action="store_true", help="import nothing if any record is bad")
    imp.set_defaults(handler=_import)

    search = kb_sub.add_parser("search", help="search the knowledge base")
    search.add_argument("query", nargs="?", metavar="QUERY")
    search.add_argument("--batch", metavar="QUERIES.jsonl", help='lines of {"query": ...}')
    search.add_argument("--db", metavar="FILE")
    search.add_argument("--limit", type=_limit, default=10, metavar="N")
    search.add_argument("--unit")
    search.add_argument("--category")
    search.add_argument("--json", action="store_true", help="JSON output")
    search.set_defaults(handler=_search)


def _limit(value: str) -> int:
    from workstation.i18n import tr

    if not value.isdigit() or not 1 <= int(value) <= 1000:
        raise argparse.ArgumentTypeError(
            tr(f"应为 1–1000 之间的整数，而不是 {value!r}", f"expected 1 to 1000, not {value!r}")
        )
    return int(value)


def _db_path(args: argparse.Namespace) -> Path:
    from kb_index.paths import default_db_path

    return Path(args.db).expanduser() if args.db else default_db_path()


def _open_for_search(args: argparse.Namespace) -> tuple[Any, Path, int]:
    """The knowledge base to search, its file and article count; an empty one is an error
    that says how to fill it (a search never creates a database)."""
    from workstation.errors import ConfigError

    path = _db_path(args)
    kb = _open(args) if path.is_file() else None
    count = kb.count() if kb is not None else 0
    if count == 0:
        hint_db = f" --db {path}" if args.db else ""
        raise ConfigError(
            f"知识库 {path} 中没有文章（0 篇）；请先导入：workstation kb import FILE{hint_db}"
            f"（JSON Lines、CSV 或 Markdown 文件夹），或用 --db 指定另一个知识库",
            f"the knowledge base {path} has no articles; import some first: "
            f"workstation kb import FILE{hint_db} (JSON Lines, CSV or a Markdown folder), "
            f"or pass --db for another knowledge base",
        )
    return kb, path, count


def _open(args: argparse.Namespace) -> Any:
    from kb_index.knowledge_base import KnowledgeBase
    from kb_index.paths import default_db_path

    return KnowledgeBase(args.db or default_db_path())


def _import(args: argparse.Namespace) -> int:
    from kb_index.importers import import_path

    kb = _open(args)
    report = import_path(kb, args.path, strict=args.strict)
    for line in report.lines():
        print(f"skipped {line}", file=sys.stderr)
    print(f"imported {report.imported} article(s), {len(report.errors)} malformed record(s)")
    return 1 if report.errors else 0


def _search(args: argparse.Namespace) -> int:
    import json
    import time

    from kb_index.ranking import hit_to_dict
    from workstation.errors import ValidationError

    kb, path, count = _open_for_search(args)
    if args.batch:
        kb.warm_up()
        with open(args.batch, encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    query = json.loads(line)["query"]
                except (ValueError, KeyError, TypeError):
                    print(f'{args.batch}:{number}: not a {{"query": ...}} line', file=sys.stderr)
                    continue
                start = time.perf_counter()
                hits = kb.search(
                    str(query), limit=args.limit, unit=args.unit, category=args.category
                )
                ms = (time.perf_counter() - start) * 1000
                results = [{"id": h.id, "score": h.score} for h in hits]
                out = {"query": query, "results": results, "ms": round(ms, 3)}
                print(json.dumps(out, ensure_ascii=False))
        return 0
    if args.query is None:
        raise ValidationError(
            "query", "请输入查询内容或 --batch 文件", "give a QUERY or --batch FILE"
        )
    hits = kb.search(args.query, limit=args.limit, unit=args.unit, category=args.category)
    if args.json:
        print(json.dumps([hit_to_dict(h) for h in hits], ensure_ascii=False))
        return 0
    for rank, hit in enumerate(hits, 1):
        print(f"{rank:>2}. [{hit.id}] {hit.title}  ({hit.score:.3f}, {hit.unit}, {hit.category})")
        if hit.snippet:
            print(f"    {hit.snippet}")
    if not hits:
        from workstation.i18n import tr

        print(
            tr(
                f"没有结果（检索了知识库 {path}，共 {count} 篇文章）",
                f"no results (searched the knowledge base {path}, {count} article(s))",
            )
        )
    return 0
