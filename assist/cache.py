"""The cold-start assistant cached on disk (冷启动模型缓存), so only a seat's first start trains.

Training the pseudo-document classifier needs scikit-learn: ~3 s to import and ~0.5 s to
fit, all holding the GIL, which froze the intake screen. The fitted classifier is saved
in the model file format (:meth:`Model.save`: ``.npz`` + JSON header, no pickle) under a
name that hashes the routing directory and the KB version, and read back WITHOUT
scikit-learn: :class:`CharTfidf` reproduces ``TfidfVectorizer.transform`` for our fixed
parameters (character 1-3-grams, sublinear tf, l2 norm) from the stored vocabulary and
idf. When the file is missing, :func:`build_in_subprocess` trains it in a separate
process, so the UI process never imports scikit-learn.

    python -m assist.cache UNITS.jsonl OUT.npz   # what the subprocess runs
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workstation.models import Unit

CACHE_VERSION = 2  # bump when pseudo_documents, unit_terms.json or the classifier change
_WHITE_SPACES = re.compile(r"\s\s+")


def directory_key(units: Sequence[Unit], kb_version: str | int = "") -> str:
    """A hash of everything the cold-start classifier is trained from."""
    from importlib import resources

    terms = resources.files("assist").joinpath("data", "unit_terms.json").read_bytes()
    payload = json.dumps(
        [
            CACHE_VERSION,
            str(kb_version),
            [u.to_dict() for u in units],
            hashlib.sha256(terms).hexdigest(),  # the everyday-word table trains it too
        ],
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]


def cache_path(cache_dir: Path, key: str) -> Path:
    return Path(cache_dir) / f"cold-start-{key}.npz"


class CharTfidf:
    """``TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)`` at
    transform time, from its stored vocabulary and idf (numpy and scipy only)."""

    def __init__(self, params: dict[str, Any], vocabulary: dict[str, int], idf: Any) -> None:
        import numpy as np

        low, high = params.get("ngram_range", (1, 3))
        if params.get("analyzer", "char") != "char" or not params.get("sublinear_tf", True):
            raise ValueError(f"unsupported vectorizer parameters: {params}")
        self.ngram_range = (int(low), int(high))
        self.vocabulary_ = vocabulary
        self.idf_ = np.asarray(idf, dtype=np.float32)
        self._names: list[str] | None = None

    def _grams(self, text: str) -> list[str]:
        text = _WHITE_SPACES.sub(" ", text.lower())
        low, high = self.ngram_range
        grams: list[str] = []
        for n in range(low, min(high, len(text)) + 1):
            grams.extend(text[i : i + n] for i in range(len(text) - n + 1))
        return grams

    def transform(self, texts: Sequence[str]) -> Any:
        import numpy as np
        from scipy import sparse

        data: list[float] = []
        indices: list[int] = []
        indptr = [0]
        vocab = self.vocabulary_
        for text in texts:
            counts: dict[int, int] = {}
            for gram in self._grams(text):
                j = vocab.get(gram)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            cols = sorted(counts)
            values = [(math.log(counts[j]) + 1.0) * float(self.idf_[j]) for j in cols]
            norm = math.sqrt(sum(v * v for v in values)) or 1.0
            indices.extend(cols)
            data.extend(v / norm for v in values)
            indptr.append(len(indices))
        return sparse.csr_matrix(
            (np.asarray(data, dtype=np.float32), indices, indptr),
            shape=(len(texts), len(self.idf_)),
        )

    def get_feature_names_out(self) -> list[str]:
        if self._names is None:
            names = [""] * len(self.vocabulary_)
            for gram, j in self.vocabulary_.items():
                names[j] = gram
            self._names = names
        return self._names


def save_cold_start(assistant: Any, path: Path) -> Path:
    """Write the assistant's fitted directory classifier as a model file."""
    from assist.model import Model

    clf = assistant.index._clf
    if clf is None:
        assistant.index.fit()
        clf = assistant.index._clf
    model = Model(clf.vectorizer, None, clf.head, {"kind": "cold-start"})
    tmp = path.with_name(path.name + ".tmp")
    model.save(tmp)
    tmp.replace(path)  # readers never see half a file
    return path


def load_cold_start(
    units: Sequence[Unit], path: Path, articles: Sequence[Any] = (), model: Any = None
) -> Any:
    """The assistant with its classifier read from ``path`` (no scikit-learn import)."""
    from assist.assistant import Assistant
    from assist.directory import DirectoryIndex, UnitArticle
    from assist.features import LinearHead, NgramVectorizer, TextClassifier
    from assist.model import FORMAT, ModelFileError, read_model_file

    header, arrays = read_model_file(path)
    if header.get("format") != FORMAT or "unit" not in header:
        raise ModelFileError(path, f"not a cold-start model: {header.get('format')!r}")
    meta = header["vectorizer"]
    impl = CharTfidf(meta["params"], meta["vocabulary"], arrays["idf"])
    head = LinearHead.from_state("unit", header["unit"], arrays)
    index = DirectoryIndex(
        list(units),
        [a if isinstance(a, UnitArticle) else UnitArticle.from_dict(a) for a in articles],
    )
    index._clf = TextClassifier(NgramVectorizer(dict(meta["params"]), impl), head)
    return Assistant(index, model)


def build_in_subprocess(units: Sequence[Unit], path: Path, timeout: float = 300) -> None:
    """Train and save in a child process: the caller's process keeps its GIL free."""
    import subprocess
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", suffix=".jsonl", dir=path.parent, delete=False, encoding="utf-8"
    ) as fh:
        for unit in units:
            fh.write(json.dumps(unit.to_dict(), ensure_ascii=False) + "\n")
        units_file = Path(fh.name)
    try:
        subprocess.run(
            [sys.executable, "-m", "assist.cache", str(units_file), str(path)],
            check=True,
            capture_output=True,
            timeout=timeout,
        )
    finally:
        units_file.unlink(missing_ok=True)


def cached_assistant(
    units: Sequence[Unit], cache_dir: Path, kb_version: str | int = "", model: Any = None
) -> Any:
    """The assistant for ``units`` (and the history ``model``, if any): its cold-start
    classifier from the cache, else trained once in a subprocess."""
    path = cache_path(cache_dir, directory_key(units, kb_version))
    if not path.exists():
        for old in Path(cache_dir).glob("cold-start-*.npz"):
            old.unlink(missing_ok=True)  # an older directory's model is never read again
        build_in_subprocess(units, path)
    return load_cold_start(units, path, model=model)


def _main(argv: list[str]) -> int:
    from assist.assistant import Assistant

    units_file, out = Path(argv[0]), Path(argv[1])
    units = [
        Unit.from_dict(json.loads(line))
        for line in units_file.read_text("utf-8").splitlines()
        if line.strip()
    ]
    save_cold_start(Assistant.from_directory(units), out)
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
