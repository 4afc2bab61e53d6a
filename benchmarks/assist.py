"""Benchmark of the intake assist: routing, non-accepted reasons, type, speed.

    .venv/bin/python -m benchmarks.assist                      # dev tickets + real messages CV
    .venv/bin/python -m benchmarks.assist --train-size 100000  # also: training time at 100k

Targets (the issue): unit in top 3 for >= 90% of accepted dev tickets; non-accepted reason
right for >= 85% of rejected ones; every emergency flagged; type accuracy >= 0.85 by 5-fold
CV on the real messages, printed beside plain baselines; a suggestion under 20 ms.

Type accuracy on the real messages stays at ~0.82 for every general bag-of-n-grams method
tried (2026-11 sweep, same folds, seed 0): LinearSVC C 0.1-0.3 0.816-0.819, NB-SVM 0.812-0.820,
jieba words 0.813, char + words 0.814-0.818, + opening/closing/question-mark features 0.814,
soft vote of four models 0.820; the spread between folds is ± 0.005-0.010. The pipeline keeps
its logistic regression (probabilities for type_confidence); ``--words`` prints the jieba row.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data"
#: Requests written by people who saw neither the assist nor the dev tickets (README there).
PROBES = ROOT / "benchmarks" / "probes"


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def bench_tickets(
    units_path: Path, kb_path: Path, tickets_path: Path, title: str = "dev tickets"
) -> None:
    from assist.assistant import Assistant
    from assist.lexicon import detect_emergency
    from workstation.models import OrderType, load_units

    units = load_units(units_path)
    started = time.perf_counter()
    assistant = Assistant.from_directory(units, jsonl(kb_path))
    build_s = time.perf_counter() - started
    tickets = jsonl(tickets_path)
    accepted = [t for t in tickets if t["accept"]]
    rejected = [t for t in tickets if not t["accept"]]
    top3 = top1 = type_ok = false_reject = 0
    latencies = []
    assistant.suggest("预热")
    for t in accepted:
        t0 = time.perf_counter()
        s = assistant.suggest(t["text"])
        latencies.append((time.perf_counter() - t0) * 1000)
        codes = [u.code for u in s.units]
        top3 += t["unit"] in codes
        top1 += codes[0] == t["unit"]
        false_reject += s.reject_reason is not None
        type_ok += s.type == OrderType.parse(t["type"])
    reason_ok = transfer_ok = emerg = emerg_flagged = 0
    per_reason: dict[str, list[int]] = {}
    for t in rejected:
        s = assistant.suggest(t["text"])
        type_ok += s.type == OrderType.parse(t["type"])
        right = (s.reject_reason and s.reject_reason.value) == t["reject_reason"]
        reason_ok += right
        per_reason.setdefault(t["reject_reason"], [0, 0])[0] += right
        per_reason[t["reject_reason"]][1] += 1
        if t["reject_reason"] == "emergency":
            emerg += 1
            emerg_flagged += s.reject_reason is not None and s.reject_reason.value == "emergency"
            transfer_ok += s.transfer_to == t.get("transfer_to")
    t0 = time.perf_counter()
    reps = 20
    for _ in range(reps):
        for t in tickets:
            detect_emergency(t["text"])
    emerg_ms = (time.perf_counter() - t0) * 1000 / (reps * len(tickets))
    n = len(tickets)
    print(f"== {title} (cold start: {len(units)} units + KB, built in {build_s:.1f} s)")
    print(
        f"unit in top 3 (accepted): {top3}/{len(accepted)} = {top3 / len(accepted):.3f}  (target >= 0.90)"
    )
    print(f"unit top 1 (accepted):    {top1}/{len(accepted)} = {top1 / len(accepted):.3f}")
    print(
        f"reject reason right:      {reason_ok}/{len(rejected)} = {reason_ok / len(rejected):.3f}  (target >= 0.85)"
    )
    print("  by reason: " + ", ".join(f"{k} {a}/{n}" for k, (a, n) in sorted(per_reason.items())))
    print(
        f"emergencies flagged:      {emerg_flagged}/{emerg}, transfer number right {transfer_ok}/{emerg}"
    )
    print(f"accepted wrongly flagged: {false_reject}/{len(accepted)}")
    print(f"type (4 classes, cue lexicon, no history): {type_ok}/{n} = {type_ok / n:.3f}")
    p95 = statistics.quantiles(latencies, n=20)[18]
    print(
        f"suggest latency: median {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms, max {max(latencies):.1f} ms (target < 20)"
    )
    print(f"detect_emergency: {emerg_ms:.3f} ms per call (target well under 1)")


def bench_emergency_set(path: Path) -> None:
    """Recall, transfer number and false alarms of detect_emergency alone on a probe set."""
    from assist.emergency import detect_emergency

    rows = jsonl(path)
    found = [(r, detect_emergency(r["text"])) for r in rows]
    pos = [(r, e) for r, e in found if r["emergency"]]
    caught = sum(e is not None for _, e in pos)
    right = sum(e is not None and e.transfer_to == r["transfer_to"] for r, e in pos)
    alarms = sum(e is not None for r, e in found if not r["emergency"])
    print(f"== emergencies alone: {path.name}")
    print(
        f"flagged {caught}/{len(pos)}, transfer number right {right}/{len(pos)}, "
        f"false alarms {alarms}/{len(rows) - len(pos)}"
    )


def bench_messages(path: Path, folds: int = 5, words: bool = False) -> None:
    import numpy as np
    from sklearn.dummy import DummyClassifier
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline

    from assist.features import HashedNgrams
    from assist.model import HASH_BITS, fit_type_head
    from assist.text import normalize

    rows = jsonl(path)
    texts = [normalize(r["text"]) for r in rows]
    labels = np.array([r["type"] for r in rows])
    raw = [r["text"] for r in rows]

    def majority(tr, te):
        dummy = DummyClassifier(strategy="most_frequent")
        return dummy.fit(np.zeros((len(tr), 1)), labels[tr]).predict(np.zeros((len(te), 1)))

    def plain(tr, te):
        pipe = make_pipeline(
            TfidfVectorizer(analyzer="char", ngram_range=(1, 2)), LogisticRegression(max_iter=1000)
        )
        return pipe.fit([raw[i] for i in tr], labels[tr]).predict([raw[i] for i in te])

    def assist(tr, te):
        vec, matrix = HashedNgrams.fit([texts[i] for i in tr], bits=HASH_BITS, min_df=2)
        head = fit_type_head(matrix, labels[tr])
        scores = head.decision(vec.transform([texts[i] for i in te]))
        return np.array(head.classes)[scores.argmax(axis=1)]

    def with_cues(tr, te):
        """The pipeline's head plus the cold-start cue log-odds (Assistant.CUE_BLEND)."""
        from assist.assistant import CUE_BLEND
        from assist.type_cues import cue_type_scores

        vec, matrix = HashedNgrams.fit([texts[i] for i in tr], bits=HASH_BITS, min_df=2)
        head = fit_type_head(matrix, labels[tr])
        scores = head.decision(vec.transform([texts[i] for i in te]))
        merged = {"咨询": ("consultation",), "投诉/求助": ("help", "complaint")}
        merged["建议"] = ("suggestion",)
        for row, i in enumerate(te):
            cue = cue_type_scores(texts[i])
            for k, label in enumerate(head.classes):
                parts = [cue[p] for p in merged[label]]
                scores[row, k] += CUE_BLEND * float(np.logaddexp.reduce(parts))
        return np.array(head.classes)[scores.argmax(axis=1)]

    def nbsvm(tr, te):
        """NB-SVM (Wang & Manning 2012) on the pipeline's own features: tried, not adopted."""
        from scipy import sparse
        from sklearn.svm import LinearSVC

        vec, matrix = HashedNgrams.fit([texts[i] for i in tr], bits=HASH_BITS, min_df=2)
        test = vec.transform([texts[i] for i in te])
        present = matrix.copy()
        present.data[:] = 1
        y, classes = labels[tr], np.unique(labels[tr])
        scores = np.zeros((len(te), len(classes)))
        for k, label in enumerate(classes):
            pos = y == label
            p = 1 + np.asarray(present[pos].sum(axis=0)).ravel()
            q = 1 + np.asarray(present[~pos].sum(axis=0)).ravel()
            ratio = sparse.diags(np.log((p / p.sum()) / (q / q.sum())))
            svm = LinearSVC(C=0.3).fit(matrix @ ratio, pos)
            scores[:, k] = svm.decision_function(test @ ratio)
        return classes[scores.argmax(axis=1)]

    methods = {
        "majority class": majority,
        "plain: char 1-2-gram tf-idf + logistic regression": plain,
        "assist: model.train pipeline (hashed char 1-3-gram, C=2)": assist,
        "assist in the product: + type cue log-odds x CUE_BLEND": with_cues,
        "tried: NB-SVM on the pipeline's features (C=0.3)": nbsvm,
    }
    if words:
        methods["tried: char 1-3 + jieba word 1-2-gram, linear SVM"] = _char_word(texts, labels)
    results: dict[str, list[float]] = {name: [] for name in methods}
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for train_idx, test_idx in splitter.split(texts, labels):
        for name, predict in methods.items():
            pred = np.asarray(predict(train_idx, test_idx))
            results[name].append(float((pred == labels[test_idx]).mean()))
    print(f"== real messages: {len(rows)} texts, 3 types, {folds}-fold CV accuracy")
    for name, accs in results.items():
        print(f"{name:55s} {statistics.mean(accs):.3f} (± {statistics.pstdev(accs):.3f})")


def _char_word(texts: list[str], labels):
    """Char n-grams stacked with jieba word 1-2-grams (jieba: a dev dependency only)."""
    import jieba
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    jieba.setLogLevel(60)
    tokens = [[w for w in jieba.lcut(t) if w.strip()] for t in texts]

    def words(i: int) -> list[str]:
        w = tokens[i]
        return w + [a + " " + b for a, b in zip(w, w[1:], strict=False)]

    def predict(tr, te):
        char = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
        word = TfidfVectorizer(analyzer=words, sublinear_tf=True, min_df=2)
        train = sparse.hstack(
            [char.fit_transform([texts[i] for i in tr]), word.fit_transform(list(tr))]
        ).tocsr()
        test = sparse.hstack([char.transform([texts[i] for i in te]), word.transform(list(te))])
        return LinearSVC(C=0.1).fit(train, labels[tr]).predict(test.tocsr())

    return predict


def synthetic_orders(units, n: int, seed: int = 0) -> list[dict]:
    """Orders made of a unit's keywords and duty phrases with everyday filler."""
    from assist.directory import duty_clauses

    rng = random.Random(seed)
    openers = [
        "我想问一下",
        "你好，我反映个事情，",
        "请问",
        "我家附近",
        "我们小区",
        "我们村里",
        "建议",
        "我要投诉",
    ]
    fillers = [
        "一直没人处理",
        "已经好几天了",
        "希望尽快解决",
        "要带什么材料",
        "怎么办理",
        "太不方便了",
        "麻烦派人来看看",
        "谢谢",
    ]
    types = ["consultation", "help", "complaint", "suggestion"]
    orders = []
    for i in range(n):
        unit = rng.choice(units)
        words = rng.sample(list(unit.keywords), k=min(2, len(unit.keywords)))
        clauses = duty_clauses(unit) or [unit.name]
        text = f"{rng.choice(openers)}{'、'.join(words)}的问题，{rng.choice(clauses)}，{rng.choice(fillers)}，{rng.choice(fillers)}。{rng.randint(1, 99)}号"
        orders.append(
            {"id": f"SYN-{i}", "text": text, "type": rng.choice(types), "unit": unit.code}
        )
    return orders


def bench_training(units_path: Path, size: int) -> None:
    from assist.assistant import Assistant
    from assist.model import Model, train
    from assist.text import normalize
    from workstation.models import load_units

    units = load_units(units_path)
    orders = synthetic_orders(units, size)
    started, cpu_started = time.perf_counter(), time.process_time()
    model = train(orders, units)
    train_s = time.perf_counter() - started
    cpu_s = time.process_time() - cpu_started  # all threads: wall on an idle 2-core seat >= cpu/2
    with tempfile.TemporaryDirectory() as tmp:
        path = model.save(Path(tmp) / "assist-model.npz")
        size_mb = path.stat().st_size / 1e6
        t0 = time.perf_counter()
        loaded = Model.load(path)
        load_s = time.perf_counter() - t0
    assistant = Assistant.from_directory(units, model=loaded)
    assistant.suggest("预热")
    lat = []
    for order in orders[:300]:
        t0 = time.perf_counter()
        assistant.suggest(order["text"])
        lat.append((time.perf_counter() - t0) * 1000)
    print(f"== training on {size} synthetic orders ({model.info['features']} n-gram features)")
    print(
        f"train: {train_s:.1f} s wall, {cpu_s:.1f} s CPU (target < 60 s on 2 cores); file {size_mb:.1f} MB; load {load_s:.2f} s"
    )
    print(f"suggest with model: median {statistics.median(lat):.1f} ms, max {max(lat):.1f} ms")
    held_out = synthetic_orders(units, 2000, seed=1)  # fresh orders: the unit head's accuracy
    top1 = top3 = 0
    for order in held_out:
        scores = loaded.unit_scores(loaded.transform(normalize(order["text"])))
        ranked = sorted(scores, key=lambda c: -scores[c])[:3]
        top1 += ranked[0] == order["unit"]
        top3 += order["unit"] in ranked
    n = len(held_out)
    print(f"unit head on {n} held-out orders: top 1 {top1 / n:.3f}, top 3 {top3 / n:.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=Path, default=DATA / "units.jsonl")
    parser.add_argument("--kb", type=Path, default=DATA / "kb_dev.jsonl")
    parser.add_argument("--tickets", type=Path, default=DATA / "tickets_dev.jsonl")
    parser.add_argument(
        "--messages", type=Path, default=DATA / "real" / "citizen_messages_dev.jsonl"
    )
    parser.add_argument(
        "--train-size", type=int, default=0, help="also time training on N synthetic orders"
    )
    parser.add_argument("--skip-cv", action="store_true")
    parser.add_argument(
        "--words", action="store_true", help="CV also: char + jieba word n-grams (slow: jieba)"
    )
    args = parser.parse_args()
    bench_tickets(args.units, args.kb, args.tickets)
    for probe in sorted(PROBES.glob("assist_requests*.jsonl")):
        bench_tickets(args.units, args.kb, probe, f"blind probes {probe.name}")
    for probe in sorted(PROBES.glob("emergency_*.jsonl")):
        bench_emergency_set(probe)
    if not args.skip_cv:
        bench_messages(args.messages, words=args.words)
    if args.train_size:
        bench_training(args.units, args.train_size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
