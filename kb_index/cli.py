"""``workstation kb import|embed|search``: load articles into the seat's index and query it.

``import`` then makes the vectors of the articles that lack one (a seat without a server;
``--no-vectors`` leaves that to ``embed`` or to the server), with a progress bar on
stderr; an interrupted run resumes with ``embed``.  ``search`` shows what the seat shows
once the agent pauses: the fused ranking (``--lexical`` for the keystroke ranking).

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
    imp.add_argument(
        "--no-vectors", action="store_true", help="do not embed the articles (search is lexical)"
    )
    imp.set_defaults(handler=_import)

    embed = kb_sub.add_parser("embed", help="make the vectors the articles lack (resumable)")
    embed.add_argument("--db", metavar="FILE")
    embed.set_defaults(handler=_embed)

    search = kb_sub.add_parser("search", help="search the knowledge base")
    search.add_argument("query", nargs="?", metavar="QUERY")
    search.add_argument("--batch", metavar="QUERIES.jsonl", help='lines of {"query": ...}')
    search.add_argument("--db", metavar="FILE")
    search.add_argument("--limit", type=_limit, default=10, metavar="N")
    search.add_argument("--unit")
    search.add_argument("--category")
    search.add_argument("--json", action="store_true", help="JSON output")
    search.add_argument(
        "--lexical", action="store_true", help="the keystroke ranking only (no dense stage)"
    )
    search.set_defaults(handler=_search)


def _finder(kb: Any, args: argparse.Namespace) -> Any:
    """``query -> hits``: fused, or lexical with ``--lexical``; says once on stderr when the
    seat's vectors do not allow the dense stage."""
    from kb_index import fusion
    from workstation.i18n import tr

    def lexical(query: str) -> Any:
        return kb.search(query, limit=args.limit, unit=args.unit, category=args.category)

    if args.lexical:
        return lexical
    told: list[str] = []

    def fused(query: str) -> Any:
        result = kb.search_fused(query, limit=args.limit, unit=args.unit, category=args.category)
        if result.reason in _WHY and not told:
            told.append(result.reason)
            print(_WHY[result.reason](), file=sys.stderr)
        return result.hits

    _WHY = {
        fusion.NO_VECTORS: lambda: tr(
            "注意：文章还没有向量，只按关键词检索（workstation kb embed 可生成）",
            "note: the articles have no vectors yet; search is lexical (workstation kb embed)",
        ),
        fusion.OTHER_VERSION: lambda: tr(
            "注意：向量来自另一版本的模型，只按关键词检索（workstation kb embed 可重新生成）",
            "note: the vectors are from another encoder; search is lexical (workstation kb embed)",
        ),
        fusion.PARTIAL: lambda: tr(
            "注意：多数文章还没有向量，只按关键词检索（workstation kb embed 可生成）",
            "note: most articles lack a vector; search is lexical (workstation kb embed)",
        ),
        fusion.NO_ENCODER: lambda: tr(
            "注意：无法加载向量模型，只按关键词检索",
            "note: the encoder cannot be loaded; search is lexical",
        ),
    }
    return fused


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
    from workstation.i18n import tr

    kb = _open(args)
    report = import_path(kb, args.path, strict=args.strict)
    for line in report.lines():
        print(tr(f"已跳过 {line}", f"skipped {line}"), file=sys.stderr)
    print(f"imported {report.imported} article(s), {len(report.errors)} malformed record(s)")
    code = 1 if report.errors else 0
    if args.no_vectors:
        return code
    return _embed_missing(kb) or code


def _embed(args: argparse.Namespace) -> int:
    _open_for_search(args)
    return _embed_missing(_open(args))


def _embed_missing(kb: Any) -> int:
    """Embed what lacks a vector, with a progress bar; one line per error."""
    from kb_index.encoder import default_encoder
    from workstation.i18n import tr

    try:
        encoder = default_encoder()
    except (ImportError, OSError, RuntimeError) as exc:
        print(
            tr(
                f"无法加载向量模型（{type(exc).__name__}），检索只按关键词进行",
                f"cannot load the encoder ({type(exc).__name__}); search stays lexical",
            ),
            file=sys.stderr,
        )
        return 1
    bar = ProgressBar(tr("生成向量", "embedding"), sys.stderr)
    try:
        made = kb.embed_missing(encoder, progress=bar.update)
    except KeyboardInterrupt:
        bar.close()
        print(
            tr(
                "已中断；已生成的向量已保存，运行 workstation kb embed 继续",
                "interrupted; the vectors made are kept: run workstation kb embed to go on",
            ),
            file=sys.stderr,
        )
        return 130
    bar.close()
    status = kb.vector_status(encoder.version)
    print(
        tr(
            f"生成了 {made} 个向量；{status.with_vectors}/{status.articles} 篇文章有向量",
            f"made {made} vector(s); {status.with_vectors}/{status.articles} article(s) have one",
        )
    )
    return 0


class ProgressBar:
    """``label  1234/5000 [#####.....]  25%  ~3 min left`` on one line of a terminal, redrawn
    in place; elsewhere (a log, a pipe) a line at each tenth."""

    WIDTH = 20

    def __init__(self, label: str, stream: Any) -> None:
        import time

        self.label, self.stream = label, stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.start = time.monotonic()
        self.shown = -1
        self.drawn = False

    def update(self, done: int, total: int) -> None:
        import time

        if total <= 0:
            return
        share = min(done / total, 1.0)
        tenth = int(share * 10)
        if not self.tty and (tenth == self.shown or (done and tenth == 0)):
            return
        self.shown = tenth
        filled = int(share * self.WIDTH)
        elapsed = time.monotonic() - self.start
        left = ""
        if 0 < done < total:
            from workstation.i18n import tr

            minutes = max(1, round(elapsed / done * (total - done) / 60))
            left = tr(f"  约剩 {minutes} 分钟", f"  ~{minutes} min left")
        line = (
            f"{self.label} {done}/{total} [{'#' * filled}{'.' * (self.WIDTH - filled)}]"
            f" {share:4.0%}{left}"
        )
        if self.tty:
            self.stream.write("\r" + line.ljust(70)[:79])
            self.drawn = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False


def _search(args: argparse.Namespace) -> int:
    import json
    import time

    from kb_index.ranking import hit_to_dict
    from workstation.errors import ValidationError

    kb, path, count = _open_for_search(args)
    find = _finder(kb, args)
    if args.batch:
        kb.warm_up()
        find("社保卡丢了怎么补办")  # loads the encoder and the vectors before timing
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
                hits = find(str(query))
                ms = (time.perf_counter() - start) * 1000
                results = [{"id": h.id, "score": h.score} for h in hits]
                out = {"query": query, "results": results, "ms": round(ms, 3)}
                print(json.dumps(out, ensure_ascii=False))
        return 0
    if args.query is None:
        raise ValidationError(
            "query", "请输入查询内容或 --batch 文件", "give a QUERY or --batch FILE"
        )
    hits = find(args.query)
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
