"""``workstation assist``: suggestions for a batch of requests, and training the model.

    workstation assist --batch FILE --json [--model PATH] [--units PATH] [--kb PATH]
    workstation assist train --orders FILE --out PATH [--units PATH]

Batch lines are ``{"text": ...}``; each output line is ``{"type", "type_confidence",
"units", "reject_reason", "transfer_to", "ms"}``. Types are written as the English codes
of ``OrderType`` (consultation, help, complaint, suggestion); training input accepts the
codes or the Chinese names (咨询/求助/投诉/建议).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from workstation.errors import ConfigError, ValidationError

#: The routing directory the product ships (created by the demo-data area).
SHIPPED_UNITS = Path(__file__).resolve().parents[1] / "workstation" / "data" / "units.jsonl"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "assist",
        help="intake assist: suggest type, handling unit and non-accepted reason",
        description=_description(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--batch", metavar="FILE", help="JSON Lines of {\"text\": ...} ('-': stdin)"
    )
    parser.add_argument("--json", action="store_true", help="write one JSON line per request")
    parser.add_argument("--model", metavar="PATH", help="a model trained by 'assist train'")
    parser.add_argument("--units", metavar="PATH", help="routing directory (units.jsonl)")
    parser.add_argument("--kb", metavar="PATH", help="knowledge-base articles (JSON Lines)")
    parser.set_defaults(handler=_suggest)
    nested = parser.add_subparsers(dest="assist_command", metavar="ACTION")
    train = nested.add_parser("train", help="train the model from closed orders")
    train.add_argument(
        "--orders", required=True, metavar="FILE", help="JSON Lines {text, type, unit}"
    )
    train.add_argument("--out", required=True, metavar="PATH", help="model file to write")
    train.add_argument("--units", metavar="PATH", help="routing directory: drop unknown units")
    train.set_defaults(handler=_train)


def _description() -> str:
    from workstation.i18n import tr

    return tr(
        "workstation assist：为一批请求给出建议，以及训练模型。\n\n"
        "    workstation assist --batch FILE --json [--model PATH] [--units PATH] [--kb PATH]\n"
        "    workstation assist train --orders FILE --out PATH [--units PATH]\n\n"
        '每行输入为 {"text": ...}；每行输出为 {"type", "type_confidence", "units",\n'
        '"reject_reason", "transfer_to", "ms"}。类型输出为 OrderType 的英文代码\n'
        "（consultation、help、complaint、suggestion）；训练数据可用代码或中文名（咨询/求助/投诉/建议）。\n",
        __doc__ or "",
    )


def _units_path(value: str | None, required: bool = True) -> Path | None:
    if value:
        return Path(value)
    if SHIPPED_UNITS.exists():
        return SHIPPED_UNITS
    if required:
        raise ConfigError(
            "没有单位名录：请用 --units 指定 units.jsonl",
            "no routing directory shipped: pass --units PATH (units.jsonl)",
        )
    return None


def _read_jsonl(path: str) -> list[dict[str, Any]]:
    text = sys.stdin.read() if path == "-" else _read(Path(path))
    rows = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except ValueError as exc:
                raise ValidationError(
                    "batch", f"{path} 第 {lineno} 行不是 JSON", f"{path} line {lineno}: {exc}"
                ) from exc
    return rows


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"无法读取文件 {path}", f"cannot read {path}: {exc.strerror}") from exc


def _suggest(args: argparse.Namespace) -> int:
    import time

    from assist.assistant import Assistant
    from assist.model import Model
    from workstation.models import load_units

    if not args.batch:
        raise ConfigError(
            "请用 --batch FILE 指定请求文件", 'pass --batch FILE (JSON Lines of {"text": ...})'
        )
    units_path = _units_path(args.units)
    assert units_path is not None
    _read(units_path)
    units = load_units(units_path)
    articles = _read_jsonl(args.kb) if args.kb else None
    model = Model.load(args.model) if args.model else None
    assistant = Assistant.from_directory(units, articles, model)
    assistant.warm_up()  # "ms" is the time of one suggestion, not of loading vocabularies
    out = sys.stdout
    for row in _read_jsonl(args.batch):
        started = time.perf_counter()
        suggestion = assistant.suggest(str(row.get("text") or ""))
        ms = (time.perf_counter() - started) * 1000
        if args.json:
            result = {
                "type": suggestion.type.value,
                "type_confidence": round(suggestion.type_confidence, 4),
                "units": [u.code for u in suggestion.units],
                "reject_reason": suggestion.reject_reason.value
                if suggestion.reject_reason
                else None,
                "transfer_to": suggestion.transfer_to,
                "ms": round(ms, 2),
            }
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
        else:
            reason = suggestion.reject_reason.value if suggestion.reject_reason else "-"
            codes = ",".join(u.code for u in suggestion.units)
            out.write(
                f"{suggestion.type.value}\t{codes}\t{reason}\t{suggestion.transfer_to or '-'}\n"
            )
    return 0


def _train(args: argparse.Namespace) -> int:
    from assist.model import read_orders, train
    from workstation.models import load_units

    _read(Path(args.orders))
    units_path = _units_path(args.units, required=False)
    units = load_units(units_path) if units_path else None
    model = train(read_orders(args.orders), units)
    path = model.save(args.out)
    info = model.info
    print(
        f"trained on {info['orders']} orders ({info['type_orders']} typed, "
        f"{info['unit_orders']} routed) in {info['train_seconds']} s -> {path}",
        file=sys.stderr,
    )
    return 0
