"""Text normalisation, term keys and pinyin tables shared by indexing and querying.

Every transformation applied to article text is one character to one character
(traditional to simplified, full width to half width, upper to lower case), so character
offsets in the normalised text are offsets in the original: highlighting spans need no
mapping back.

Terms are integer keys so the in-memory postings are plain numpy arrays:
``c`` (a single character, titles and tags only), ``c1 << 16 | c2`` (a character bigram
inside a run of letters, digits or Han characters) and, derived at load time,
``PINYIN_BASE + s1 << 11 | s2`` (a bigram of toneless pinyin syllables, which makes
homophone typos and full-pinyin input match).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

#: Pinyin keys live above every character key (which are below 2**32).
PINYIN_BASE = 1 << 33
#: Longest body prefix indexed: keeps a pasted 100-page article from bloating the index.
MAX_BODY_CHARS = 3000


def _is_token_code(c: int) -> bool:
    return 0x3400 <= c <= 0x9FFF or 0xF900 <= c <= 0xFAFF or 0x30 <= c <= 0x39 or 0x61 <= c <= 0x7A


def is_han(ch: str) -> bool:
    c = ord(ch)
    return 0x3400 <= c <= 0x9FFF or 0xF900 <= c <= 0xFAFF


@lru_cache(maxsize=1)
def _translate_table() -> dict[int, str]:
    """Single-character traditional to simplified, full width to half width, lower case."""
    from zhconv import zhconv as zc

    zc.loaddict()
    table: dict[int, str] = {}
    for k, v in zc.zhcdicts["zh2Hans"].items():
        if len(k) == 1 and len(v) == 1 and k != v:
            table[ord(k)] = v
    for c in range(0xFF01, 0xFF5F):
        table[c] = chr(c - 0xFEE0)
    table[0x3000] = " "
    for c in range(ord("A"), ord("Z") + 1):
        table[c] = chr(c + 32)
    for c in range(ord("Ａ"), ord("Ｚ") + 1):
        table[c] = chr(c - 0xFEE0 + 32)
    return table


def normalize(text: str) -> str:
    """Same-length normalisation of article text (offsets stay valid)."""
    return text.translate(_translate_table())


def normalize_query(text: str) -> str:
    """Phrase-aware traditional conversion for queries (may change length; queries are short)."""
    from zhconv import convert

    if any(ord(ch) > 0x2E80 for ch in text):
        text = convert(text, "zh-cn")
    return normalize(text)


def codes(text: str) -> np.ndarray:
    import numpy as np

    return np.frombuffer(text.encode("utf-32-le", "replace"), dtype=np.uint32).astype(np.int64)


@lru_cache(maxsize=1)
def _normalize_array() -> np.ndarray:
    import numpy as np

    table = np.arange(0x10000, dtype=np.int64)
    for code, ch in _translate_table().items():
        if code < 0x10000 and len(ch) == 1:
            table[code] = ord(ch)
    return table


def normalized_codes(text: str) -> np.ndarray:
    """``codes(normalize(text))``, vectorised (the same one-to-one mapping)."""
    c = codes(text)
    if len(c) and int(c.max()) < 0x10000:
        return _normalize_array()[c]
    m = c < 0x10000
    c[m] = _normalize_array()[c[m]]
    return c


@lru_cache(maxsize=1)
def _token_mask_table() -> np.ndarray:
    import numpy as np

    table = np.zeros(0x110000, dtype=bool)
    table[0x3400:0xA000] = True
    table[0xF900:0xFB00] = True
    table[0x30:0x3A] = True
    table[0x61:0x7B] = True
    return table


def bigram_keys(text: str) -> np.ndarray:
    """Keys of character bigrams of normalised ``text`` (with repeats, in order)."""
    import numpy as np

    c = codes(text)
    if len(c) < 2:
        return np.zeros(0, dtype=np.int64)
    ok = _token_mask_table()[c]
    both = ok[:-1] & ok[1:]
    return ((c[:-1] << 16) | c[1:])[both]


def unigram_keys(text: str) -> np.ndarray:
    c = codes(text)
    return c[_token_mask_table()[c]]


# --- pinyin -----------------------------------------------------------------------------


def _strip_tone(reading: str) -> str:
    out = unicodedata.normalize("NFD", reading)
    out = "".join(ch for ch in out if not unicodedata.combining(ch))
    return out.replace("ü", "v").lower()


@lru_cache(maxsize=1)
def pinyin_tables() -> tuple[np.ndarray, list[str], dict[str, int]]:
    """(code -> syllable id, id -> syllable, syllable -> id); id 0 means "no pinyin".

    Built from pypinyin's single-character dictionary (the most common reading first);
    context-free on purpose: the same mapping is applied to articles and queries, so a
    homophone typo lands on the same syllables as the intended word.
    """
    import numpy as np

    pinyin_dict = _load_pinyin_dict()
    syllables: list[str] = [""]
    ids: dict[str, int] = {}
    table = np.zeros(0x10000, dtype=np.int64)
    for code, readings in pinyin_dict.items():
        if code >= 0x10000:
            continue
        syl = _strip_tone(readings.split(",")[0])
        if not syl.isascii() or not syl.isalpha():
            continue
        sid = ids.get(syl)
        if sid is None:
            sid = ids[syl] = len(syllables)
            syllables.append(syl)
        table[code] = sid
    for d in range(10):  # digits keep their own "syllable" so mixed runs still pair up
        ids[str(d)] = len(syllables)
        table[0x30 + d] = len(syllables)
        syllables.append(str(d))
    # Map traditional characters onto their simplified counterpart's reading.
    for code, simp in _translate_table().items():
        if code < 0x10000 and len(simp) == 1 and ord(simp) < 0x10000 and table[ord(simp)]:
            table[code] = table[ord(simp)]
    return table, syllables, ids


def _load_pinyin_dict() -> dict[int, str]:
    """pypinyin's single-character table, loaded without ``pypinyin/__init__`` (which
    builds phrase segmentation tables we do not use: time and ~50 MB)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("pypinyin")
    assert spec is not None and spec.origin is not None
    path = Path(spec.origin).parent / "pinyin_dict.py"
    sub = importlib.util.spec_from_file_location("_kb_pinyin_dict", path)
    assert sub is not None and sub.loader is not None
    module = importlib.util.module_from_spec(sub)
    sub.loader.exec_module(module)
    return module.pinyin_dict


@lru_cache(maxsize=1)
def _syllable_list() -> list[int]:
    return pinyin_tables()[0].tolist()


@lru_cache(maxsize=1)
def syllable_translation() -> dict[int, str]:
    """str.translate table: each Han character -> one private-use character per syllable."""
    table = _syllable_list()
    return {c: chr(0xE000 + s) for c, s in enumerate(table) if s}


@lru_cache(maxsize=1)
def initial_translation() -> dict[int, str]:
    """str.translate table: each Han character -> the first letter of its pinyin."""
    syllables = pinyin_tables()[1]
    return {c: syllables[s][0] for c, s in enumerate(_syllable_list()) if s}


def pinyin_keys_from_bigrams(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pinyin bigram keys for character bigram keys; returns (keys, mask of those that map)."""
    table = pinyin_tables()[0]
    hi = keys >> 16
    lo = keys & 0xFFFF
    hi = hi.clip(0, 0xFFFF)
    s1 = table[hi]
    s2 = table[lo]
    ok = (keys >= 0x10000) & (s1 > 0) & (s2 > 0)
    return PINYIN_BASE + ((s1 << 11) | s2), ok


def syllable_keys(syls: list[int]) -> list[int]:
    return [PINYIN_BASE + ((a << 11) | b) for a, b in zip(syls, syls[1:], strict=False)]


def char_syllable(ch: str) -> int:
    c = ord(ch)
    return _syllable_list()[c] if c < 0x10000 else 0


def syllable_string(text: str) -> str:
    """One private-use character per syllable (homophones become equal strings)."""
    return text.translate(syllable_translation())


def initials(text: str) -> str:
    return text.translate(initial_translation())


def segment_pinyin(letters: str) -> list[list[int]]:
    """Segmentations of a run of latin letters into toneless syllables, fewest pieces first.

    The last piece may be an unfinished syllable (a prefix), as the agent is still typing;
    such a piece is returned as the id of the shortest syllable it starts.
    """
    _, syllables, ids = pinyin_tables()
    n = len(letters)
    if n == 0 or n > 40:
        return []
    best: list[list[int] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(n):
        cur = best[i]
        if cur is None:
            continue
        for j in range(min(n, i + 6), i, -1):
            sid = ids.get(letters[i:j])
            if sid is not None and not letters[i:j].isdigit():
                cand = cur + [sid]
                old = best[j]
                if old is None or len(cand) < len(old):
                    best[j] = cand
    result = best[n]
    return [result] if result else []
