"""Hashed character n-grams: the same buckets in every process, and old files refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TEXTS = ["小区停水好几天了", "请问身份证怎么补办？", "", "a", "建议路口增设路灯 第12号"]


def _reference(text: str, low: int, high: int) -> dict[tuple[str, ...], int]:
    grams: dict[tuple[str, ...], int] = {}
    for n in range(low, high + 1):
        for i in range(len(text) - n + 1):
            grams[tuple(text[i : i + n])] = grams.get(tuple(text[i : i + n]), 0) + 1
    return grams


def test_counts_are_the_n_grams_of_each_text():
    from assist.features import hashed_counts

    params = {"bits": 18, "ngram_range": [1, 3], "hash": 1}
    counts = hashed_counts(TEXTS, params)
    assert counts.shape == (len(TEXTS), 1 << 18)
    for row, text in enumerate(TEXTS):  # no n-gram crosses from one text into the next
        assert counts[row].sum() == sum(_reference(text, 1, 3).values())
    one_by_one = [hashed_counts([t], params) for t in TEXTS]
    for row, single in enumerate(one_by_one):
        assert (counts[row] != single).nnz == 0


def test_buckets_are_the_same_in_another_process():
    from assist.features import hashed_counts

    params = {"bits": 18, "ngram_range": [1, 3], "hash": 1}
    here = hashed_counts(TEXTS, params).tocoo()
    code = (
        "import json, sys; from assist.features import hashed_counts;"
        f"m = hashed_counts({TEXTS!r}, {params!r}).tocoo();"
        "print(json.dumps([m.row.tolist(), m.col.tolist(), m.data.tolist()]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 0, done.stderr
    rows, cols, data = json.loads(done.stdout)
    assert (rows, cols, data) == (here.row.tolist(), here.col.tolist(), here.data.tolist())


def test_min_df_drops_rare_buckets_and_rows_are_unit_length():
    import numpy as np

    from assist.features import HashedNgrams

    vec, matrix = HashedNgrams.fit(["停水停电", "停水", "路灯"], min_df=2)
    assert vec.size < 10 and vec.idf.dtype == np.float32
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    assert norms[:2] == pytest.approx([1.0, 1.0], abs=1e-5) and norms[2] == 0.0


def test_sgd_epochs_shrink_with_more_orders():
    from assist.model import sgd_epochs

    assert sgd_epochs(20_000) == 8 and sgd_epochs(100_000) == 3 and sgd_epochs(1_000_000) == 3


def test_an_old_format_model_file_is_refused_clearly(tmp_path):
    import numpy as np

    from assist import Model
    from assist.model import ModelFileError

    old = tmp_path / "old.npz"
    header = {"format": "assist.model/1", "vectorizer": {"vocabulary": {}}}
    with old.open("wb") as fh:
        np.savez_compressed(fh, header=np.array(json.dumps(header)))
    with pytest.raises(ModelFileError, match="retrain"):
        Model.load(old)
