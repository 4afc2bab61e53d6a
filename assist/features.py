"""Character n-gram features and linear heads, stored without pickle.

Chinese needs no word segmentation for routing: character 1-3-grams with TF-IDF and a
linear classifier do well. The fitted state is plain data (vocabulary as JSON, idf and
weights as arrays), so a model shipped to seats over sync is rebuilt, never unpickled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

DEFAULT_PARAMS: dict[str, Any] = {
    "analyzer": "char",
    "ngram_range": [1, 3],
    "sublinear_tf": True,
    "min_df": 1,
    "max_features": None,
}


@dataclass
class NgramVectorizer:
    """A fitted TF-IDF vectorizer over character n-grams (scikit-learn underneath)."""

    params: dict[str, Any]
    impl: Any

    @classmethod
    def fit(cls, texts: Sequence[str], **overrides: Any) -> tuple[NgramVectorizer, Any]:
        from sklearn.feature_extraction.text import TfidfVectorizer

        params = {**DEFAULT_PARAMS, **overrides}
        impl = TfidfVectorizer(**_sk_params(params))
        matrix = impl.fit_transform(texts)
        return cls(params, impl), matrix

    def transform(self, texts: Sequence[str]) -> Any:
        return self.impl.transform(texts)

    @property
    def size(self) -> int:
        return len(self.impl.vocabulary_)

    def state(self) -> tuple[dict[str, Any], dict[str, Any]]:
        vocab = {str(k): int(v) for k, v in self.impl.vocabulary_.items()}
        return {"params": self.params, "vocabulary": vocab}, {"idf": self.impl.idf_}

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, Any]) -> NgramVectorizer:
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer

        params = dict(meta["params"])
        impl = TfidfVectorizer(**_sk_params(params), vocabulary=meta["vocabulary"])
        impl.idf_ = np.asarray(arrays["idf"], dtype=np.float64)
        return cls(params, impl)


#: 64-bit mixing constants (splitmix64's finaliser): fixed, so a bucket never changes.
_MIX1, _MIX2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
_CHUNK = 4_000  # texts per block: its arrays stay in cache (the whole corpus at once: 5x slower)


@dataclass
class HashedNgrams:
    """TF-IDF over hashed character n-grams: no vocabulary to fit, ship or read.

    Fitting a vocabulary over 100,000 orders took 40 s of pure-Python counting; hashing the
    n-grams' code points with NumPy integer arithmetic takes about 2 s and gives the same
    bucket in every process and on every machine (no ``hash()``, no random seed). The saved
    state is the parameters and one idf per bucket; buckets seen in fewer than ``min_df``
    texts get idf 0, as a vocabulary's ``min_df`` would leave them out.
    """

    params: dict[str, Any]
    idf: Any  # numpy float32, one per bucket

    @classmethod
    def fit(
        cls, texts: Sequence[str], *, bits: int = 18, min_df: int = 1, ngram_range=(1, 3)
    ) -> tuple[HashedNgrams, Any]:
        import numpy as np

        params = {"bits": int(bits), "ngram_range": [int(n) for n in ngram_range], "hash": 1}
        counts = hashed_counts(texts, params)
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        idf = (np.log((1.0 + len(texts)) / (1.0 + df)) + 1.0).astype(np.float32)
        idf[df < min_df] = 0.0
        vectorizer = cls(params, idf)
        return vectorizer, vectorizer._weigh(counts)

    def transform(self, texts: Sequence[str]) -> Any:
        return self._weigh(hashed_counts(texts, self.params))

    def _weigh(self, counts: Any) -> Any:
        """Sublinear tf times idf, rows scaled to unit length (as ``TfidfVectorizer``)."""
        import numpy as np
        from sklearn.preprocessing import normalize

        counts.data = (1.0 + np.log(counts.data)) * self.idf[counts.indices]
        counts.eliminate_zeros()
        return normalize(counts, copy=False)

    @property
    def size(self) -> int:
        """Buckets in use (the rest have idf 0)."""
        return int((self.idf > 0).sum())

    def state(self) -> tuple[dict[str, Any], dict[str, Any]]:
        return {"kind": "hashed", "params": self.params}, {"idf": self.idf}

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, Any]) -> HashedNgrams:
        import numpy as np

        params = dict(meta["params"])
        idf = np.asarray(arrays["idf"], dtype=np.float32)
        if params.get("hash") != 1 or idf.shape != (1 << int(params["bits"]),):
            raise ValueError(f"unsupported n-gram hashing {params!r}")
        return cls(params, idf)


def hashed_counts(texts: Sequence[str], params: dict[str, Any]) -> Any:
    """Counts of hashed character n-grams, texts x 2**bits (one thread: two were slower)."""
    from scipy import sparse

    parts = [_block_counts(texts[i : i + _CHUNK], params) for i in range(0, len(texts), _CHUNK)]
    if len(parts) == 1:
        return parts[0]
    return sparse.vstack(parts, format="csr") if parts else _block_counts([], params)


def _block_counts(texts: Sequence[str], params: dict[str, Any]) -> Any:
    import numpy as np
    from scipy import sparse

    bits = int(params["bits"])
    low, high = params["ngram_range"]
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    chars = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    chars = chars.astype(np.uint64)
    doc = np.repeat(np.arange(len(texts), dtype=np.uint64), lengths)
    keys = []
    for n in range(int(low), int(high) + 1):
        m = len(chars) - n + 1
        if m <= 0:
            continue
        key = np.full(m, n, dtype=np.uint64)  # the length first: "ab" and "\0ab" differ
        for k in range(n):  # a code point has 21 bits: three fit in 64
            key <<= np.uint64(21)
            key |= chars[k : k + m]
        inside = doc[:m] == doc[n - 1 : n - 1 + m]
        bucket = _mix(key[inside]) >> np.uint64(64 - bits)
        keys.append((doc[:m][inside] << np.uint64(bits)) | bucket)
    flat = np.sort(np.concatenate(keys)) if keys else np.zeros(0, dtype=np.uint64)
    starts = np.flatnonzero(np.diff(flat, prepend=~flat[:1]) if len(flat) else flat)
    counts = np.diff(np.append(starts, len(flat))).astype(np.float32)
    first = flat[starts]
    rows = (first >> np.uint64(bits)).astype(np.int64)
    cols = (first & np.uint64((1 << bits) - 1)).astype(np.int32)
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=len(texts)), out=indptr[1:])
    return sparse.csr_matrix((counts, cols, indptr), shape=(len(texts), 1 << bits))


def _mix(x: Any) -> Any:
    import numpy as np

    x = x ^ (x >> np.uint64(30))
    x *= np.uint64(_MIX1)
    x ^= x >> np.uint64(27)
    x *= np.uint64(_MIX2)
    return x ^ (x >> np.uint64(31))


def _sk_params(params: dict[str, Any]) -> dict[str, Any]:
    import numpy as np

    out = dict(params)
    out["ngram_range"] = tuple(out["ngram_range"])
    out["dtype"] = np.float32
    return out


@dataclass
class LinearHead:
    """One linear classifier: scores = X · Wᵀ + b. W is kept sparse (largest weights)."""

    classes: list[str]
    coef: Any  # scipy.sparse.csr_matrix, classes x features
    intercept: Any  # numpy array, classes

    @classmethod
    def fit(
        cls,
        matrix: Any,
        labels: Sequence[str],
        *,
        c: float = 0.5,
        kind: str = "svm",
        keep_per_class: int | None = None,
        epochs: int = 8,
    ) -> LinearHead:
        import numpy as np
        from scipy import sparse

        if kind == "logreg":
            from sklearn.linear_model import LogisticRegression

            model: Any = LogisticRegression(C=c, max_iter=300)
        elif kind in ("sgd_log", "sgd_hinge"):  # one pass per epoch: for large histories
            from sklearn.linear_model import SGDClassifier

            loss = "log_loss" if kind == "sgd_log" else "hinge"
            model = SGDClassifier(
                loss=loss, alpha=c, max_iter=epochs, tol=None, n_jobs=2, random_state=0
            )
        else:
            from sklearn.svm import LinearSVC

            model = LinearSVC(C=c, random_state=0)  # the same directory gives the same model
        import warnings

        with warnings.catch_warnings():  # few orders per unit is normal early on
            warnings.simplefilter("ignore", UserWarning)
            model.fit(matrix, list(labels))
        coef = np.asarray(model.coef_, dtype=np.float32)
        intercept = np.asarray(model.intercept_, dtype=np.float32)
        if coef.shape[0] == 1:  # binary: one row for the positive class
            coef = np.vstack([-coef, coef])
            intercept = np.concatenate([-intercept, intercept])
        if keep_per_class and coef.shape[1] > keep_per_class:
            cut = np.partition(np.abs(coef), -keep_per_class, axis=1)[:, -keep_per_class]
            coef = np.where(np.abs(coef) >= cut[:, None], coef, 0.0).astype(np.float32)
        return cls([str(k) for k in model.classes_], sparse.csr_matrix(coef), intercept)

    def __post_init__(self) -> None:
        # features x classes, row-major: a request row touches only its own n-grams' rows
        self._by_feature = self.coef.T.tocsr()

    def decision(self, matrix: Any) -> Any:
        import numpy as np

        return np.asarray((matrix @ self._by_feature).toarray()) + self.intercept

    def state(self, prefix: str) -> tuple[dict[str, Any], dict[str, Any]]:
        coef = self.coef.tocsr()
        arrays = {
            f"{prefix}_data": coef.data,
            f"{prefix}_indices": coef.indices,
            f"{prefix}_indptr": coef.indptr,
            f"{prefix}_intercept": self.intercept,
        }
        return {"classes": self.classes, "shape": list(coef.shape)}, arrays

    @classmethod
    def from_state(cls, prefix: str, meta: dict[str, Any], arrays: dict[str, Any]) -> LinearHead:
        from scipy import sparse

        coef = sparse.csr_matrix(
            (arrays[f"{prefix}_data"], arrays[f"{prefix}_indices"], arrays[f"{prefix}_indptr"]),
            shape=tuple(meta["shape"]),
        )
        return cls(list(meta["classes"]), coef, arrays[f"{prefix}_intercept"])


@dataclass
class TextClassifier:
    """A vectorizer and one head: text in, score per class out."""

    vectorizer: NgramVectorizer
    head: LinearHead
    _names: Any = None

    def scores(self, norm_text: str) -> dict[str, float]:
        row = self.head.decision(self.vectorizer.transform([norm_text]))[0]
        return dict(zip(self.head.classes, (float(v) for v in row), strict=True))

    def evidence(self, norm_text: str, label: str, limit: int = 3) -> list[str]:
        """The n-grams of the text that weigh most for ``label`` (longest first on ties)."""
        if label not in self.head.classes:
            return []
        if self._names is None:
            self._names = self.vectorizer.impl.get_feature_names_out()
        row = self.vectorizer.transform([norm_text]).tocsr()
        k = self.head.classes.index(label)
        weights = self.head.coef.getrow(k).toarray().ravel()
        pairs = [
            (float(weights[j] * v), str(self._names[j]))
            for j, v in zip(row.indices, row.data, strict=True)
        ]
        out: list[str] = []
        for weight, gram in sorted(pairs, key=lambda p: (-p[0], -len(p[1]))):
            if weight <= 0 or len(out) >= limit:
                break
            if len(gram.strip()) >= 2 and not any(gram in o or o in gram for o in out):
                out.append(gram)
        if not out:  # only single characters in common: still say which (meaningful ones)
            out = [g for w, g in sorted(pairs, reverse=True) if w > 0 and g.strip()]
        from assist.text import meaningful_words

        return meaningful_words(norm_text, out)[:limit]


def fit_linear(texts: Sequence[str], labels: Sequence[str], *, c: float = 0.5) -> TextClassifier:
    vectorizer, matrix = NgramVectorizer.fit(texts)
    return TextClassifier(vectorizer, LinearHead.fit(matrix, labels, c=c))


def softmax(scores: dict[str, float], temperature: float = 1.0) -> dict[str, float]:
    import math

    if not scores:
        return {}
    top = max(scores.values())
    exp = {k: math.exp((v - top) / temperature) for k, v in scores.items()}
    total = sum(exp.values())
    return {k: v / total for k, v in exp.items()}
