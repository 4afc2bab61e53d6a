"""Timing of the server's training job on N closed orders (not collected by pytest).

    .venv/bin/python -m tests.central_assist.bench_train_100k [N]

Texts: the real citizen messages of ../shared/data/real (cut to order length, with
a varying tail) when present, else synthetic ones; units and types drawn at random from
the routing directory. Prints collection, training and storing time and the model size.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime

from central.testing import SOURCE_ROOT, unit_records
from tests.central_assist.helpers import insert_closed


def texts(n: int, units: list[dict], rng: random.Random) -> list[tuple[str, str, str]]:
    real = SOURCE_ROOT / ".." / "shared" / "data" / "real" / "citizen_messages_dev.jsonl"
    pool: list[str] = []
    if real.exists():
        for line in real.read_text("utf-8").splitlines():
            if line.strip():
                pool.append(str(json.loads(line).get("text") or "")[:160])
    pool = [t for t in pool if t] or ["小区门口路灯坏了一个月", "楼下夜间施工噪音扰民"]
    types = ["consultation", "help", "complaint", "suggestion"]
    out = []
    for i in range(n):
        unit = rng.choice(units)
        kw = "、".join(unit.get("keywords", [])[:2]) or unit["name"]
        out.append((f"{rng.choice(pool)}，{kw}，第{i % 97}号", unit["code"], rng.choice(types)))
    return out


def main() -> int:
    from central.assist_training import TrainingPolicy, run_training
    from central.db import Database
    from central.store import Store
    from central.testing import seed
    from workstation.config import load_settings

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(
            Database(f"sqlite:///{tmp}/central.db"),
            load_settings(env={"WORKSTATION_DATA_DIR": tmp}),
        )
        seed(store)
        rows = texts(n, unit_records(), random.Random(0))
        insert_closed(store, rows, datetime(2026, 3, 1, tzinfo=UTC))
        started = time.perf_counter()
        result = run_training(store, TrainingPolicy(), datetime(2026, 3, 2, tzinfo=UTC))
        total = time.perf_counter() - started
        print(result.line())
        m = result.metrics
        print(
            f"orders {n}: job total {total:.1f} s wall (train {m.get('train_seconds')} s, "
            f"train+save {m.get('total_seconds')} s), features {m.get('features')}, "
            f"file {result.size / 1e6:.1f} MB"
        )
        store.db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
