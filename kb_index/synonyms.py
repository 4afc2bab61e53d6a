"""Colloquial -> formal vocabulary of public-service language, for query expansion.

Callers speak colloquially and agents type what they hear: 工钱 for 工资, 房本 for
房产证, 车本 for 驾驶证, 漏气 for 燃气泄漏.  Knowledge-base articles are written in the
formal register, so a literal match misses them.  :func:`expand_colloquial` finds the
colloquial phrases inside one Han run of a query and returns the formal words, which
:mod:`kb_index.query` adds at a lower weight; the literal words still decide when they
match.

The table is ``data/colloquial.tsv``, one entry a line: ``colloquial<TAB>formal formal``.
It was written by hand as general vocabulary of municipal public services (social
insurance, provident fund, household registration, marriage and birth, schools, health,
civil affairs, wages, housing, utilities, traffic, urban management, environment,
consumer rights, legal aid, rural affairs, business and tax, pets, public security,
tourism), with the formal register taken from article titles and official answers, and
checked for misfires against real citizens' questions.  It was not derived from any
query set.  A formal side of ``-`` marks an exception: a longer phrase that contains a
key but means something else (``补交材料`` is not ``补缴``); it matches and adds nothing.

Matching: the longest key at each position wins, and a match lying wholly inside an
earlier, longer match is dropped (so exceptions and specific phrases override the
shorter keys inside them), while keys that merely overlap both count (``没驾照`` plus
``照过期``).  The keys are compiled into one regex alternation, factored by prefix (a
trie), read and compiled once, on first use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from workstation.errors import ConfigError
from workstation.word_regex import trie_alternation

VOCABULARY_FILE = "colloquial.tsv"
EXCEPTION_MARK = "-"
MIN_KEY_CHARS = 2
_HAN_WORD = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


class VocabularyError(ConfigError):
    """A line of the colloquial vocabulary file is malformed (names the line)."""

    code = "kb_vocabulary"

    def __init__(self, source: str, line: int, zh: str, en: str) -> None:
        super().__init__(
            f"{source} 第 {line} 行：{zh}",
            f"{source} line {line}: {en}",
            source=source,
            line=line,
        )
        self.line = line


@dataclass(frozen=True)
class Vocabulary:
    """The parsed table and one compiled alternation over its keys (longest first)."""

    table: dict[str, tuple[str, ...]]
    pattern: re.Pattern[str]

    @classmethod
    def build(cls, table: dict[str, tuple[str, ...]]) -> Vocabulary:
        return cls(table=table, pattern=re.compile(trie_alternation(table)))

    def expand(self, token: str) -> list[str]:
        out: dict[str, None] = {}
        search, table = self.pattern.search, self.table
        pos, reach = 0, 0
        while (m := search(token, pos)) is not None:
            start, end = m.span()
            if end > reach:  # not inside an earlier, longer match
                out.update(dict.fromkeys(table[m.group()]))
                reach = end
            pos = start + 1
        # A formal word the agent already typed is matched at full weight anyway.
        return [w for w in out if w not in token]


def parse_vocabulary(text: str, source: str = VOCABULARY_FILE) -> dict[str, tuple[str, ...]]:
    """Parse the TSV text; raise :class:`VocabularyError` naming the first bad line."""
    from kb_index.text import normalize

    table: dict[str, tuple[str, ...]] = {}
    first_seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue

        def fail(zh: str, en: str, _n: int = number) -> VocabularyError:
            return VocabularyError(source, _n, zh, en)

        key, tab, rest = line.partition("\t")
        key = key.strip()
        if not tab:
            raise fail(
                "缺少制表符（格式：口语<TAB>正式用语）", "no tab (format: colloquial<TAB>formal)"
            )
        if "\t" in rest:
            raise fail("多于一个制表符", "more than one tab")
        if len(key) < MIN_KEY_CHARS or not _HAN_WORD.fullmatch(key):
            raise fail(
                f"口语词“{key}”须为至少 {MIN_KEY_CHARS} 个汉字",
                f"colloquial key {key!r} must be at least {MIN_KEY_CHARS} Han characters",
            )
        words = rest.split()
        if not words:
            raise fail("缺少正式用语", "no formal words")
        if words == [EXCEPTION_MARK]:
            formal: tuple[str, ...] = ()
        else:
            bad = [w for w in words if not _HAN_WORD.fullmatch(w)]
            if bad:
                raise fail(
                    f"正式用语须为汉字：{' '.join(bad)}",
                    f"formal words must be Han characters: {' '.join(bad)}",
                )
            formal = tuple(dict.fromkeys(words))
        changed = [w for w in (key, *formal) if normalize(w) != w]
        if changed:
            raise fail(
                f"含繁体或会被规范化改写的字：{' '.join(changed)}",
                f"contains characters the query normaliser rewrites: {' '.join(changed)}",
            )
        if key in first_seen:
            raise fail(
                f"口语词“{key}”重复（首次出现在第 {first_seen[key]} 行）",
                f"duplicate key {key!r} (first on line {first_seen[key]})",
            )
        first_seen[key] = number
        table[key] = formal
    return table


@cache
def vocabulary() -> Vocabulary:
    """The shipped table, parsed and compiled on first use."""
    text = resources.files("kb_index").joinpath("data").joinpath(VOCABULARY_FILE).read_text("utf-8")
    return Vocabulary.build(parse_vocabulary(text))


def colloquial_table() -> dict[str, tuple[str, ...]]:
    """Colloquial key -> formal words (an empty tuple marks an exception phrase)."""
    return vocabulary().table


def expand_colloquial(token: str) -> list[str]:
    """Formal equivalents of the colloquial phrases found inside ``token``: deduplicated,
    in the order found, leaving out any that ``token`` already contains."""
    return vocabulary().expand(token)
