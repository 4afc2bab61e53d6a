"""Cold-start unit ranking from the routing directory and the knowledge base (冷启动).

With no history, each unit is described by its name, duties (职责), keywords and the
knowledge-base articles it owns. Two signals: keyword hits weighted by how specific a
keyword is (a word listed by one unit says more than 村委会, listed by nine), and a
linear classifier on character n-grams trained on pseudo-documents cut from those
descriptions (each duty clause, keyword, article title, tag set and body sentence).

Callers do not speak like the directory (they say 打车不打表, it says 出租车监管), so the
keyword side also reads ``data/unit_terms.json``: everyday words for each unit's matters,
at a lower weight than the directory's own keywords. A town's or zone's own name says
where a matter is, not who handles it: it weighs little, and local-matter words
(邻居, 村里 ...) count for a town only when the request names it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from assist.text import alternation, normalize
from workstation.models import Unit

_CLAUSES = re.compile(r"[，,、；;。：:（）()及和与等]+")
_SENTENCES = re.compile(r"[。；;！？!?\n]+")
_GENERIC = frozenset({"负责", "包括", "事项", "相关", "辖区内", "工作", "管理", "服务"})
#: Article tags that say what the caller wants done, not what the matter is about.
_GENERIC_TAGS = frozenset(
    "投诉 举报 咨询 办理 申请 流程 条件 材料 费用 时间 补办 查询 政策 标准 补贴 手续 地点 "
    "电话 窗口 网上办理 线上办理 进度 退费 收费".split()
)
TAG_WEIGHT = 0.5
TERM_WEIGHT = 0.45  # an everyday word from unit_terms.json, next to a listed keyword (1.0)
PLACE_WEIGHT = 0.6  # a town's or zone's own name: where the matter is, not who handles it
LOCAL_WEIGHT = 0.5  # each general local-matter word, for a town or zone the request names
LOCAL_MAX = 3  # local-matter words counted at most
OTHER_PLACE_WEIGHT = 0.3  # keyword evidence for a town or zone when the request names another
COLLOQUIAL_WEIGHT = 0.5  # a formal word reached through the colloquial vocabulary
LOCAL_KINDS = ("town", "zone")
KEYWORD, TERM, PLACE, LOCAL = "keyword", "term", "place", "local"  # kinds of evidence

Expander = Callable[[str], Iterable[str]]


@dataclass(frozen=True)
class UnitTerms:
    """Everyday words per unit code, resolved against one routing directory."""

    terms: dict[str, tuple[str, ...]]
    places: dict[str, tuple[str, ...]]
    local: dict[str, tuple[str, ...]]  # unit kind -> local-matter words


@cache
def _terms_table() -> dict[str, Any]:
    from assist.lexicon import load_json

    return load_json("unit_terms.json")


def unit_terms(units: Sequence[Unit], table: Mapping[str, Any] | None = None) -> UnitTerms:
    """The shipped everyday-word table, for the units of ``units`` it describes.

    An entry is keyed by unit code, but applies only to a unit of the same full name, or of
    the same code and short name: a renumbered or renamed directory never gets another
    unit's words.
    """
    raw = _terms_table() if table is None else table
    by_name = {u.name: u for u in units}
    by_code = {u.code: u for u in units}
    terms: dict[str, tuple[str, ...]] = {}
    places: dict[str, tuple[str, ...]] = {}
    for code, entry in (raw.get("units") or {}).items():
        unit = by_name.get(str(entry.get("name") or ""))
        if unit is None:
            candidate = by_code.get(code)
            if candidate is not None and candidate.short == entry.get("short"):
                unit = candidate
        if unit is None:
            continue
        terms[unit.code] = tuple(_clean(entry.get("terms")))
        places[unit.code] = tuple(_clean(entry.get("places")))
    for unit in units:  # a town's or zone's own short name is always a place
        if unit.kind in LOCAL_KINDS and len(normalize(unit.short)) >= 2:
            places[unit.code] = tuple(
                dict.fromkeys((*places.get(unit.code, ()), normalize(unit.short)))
            )
    local = {str(k): tuple(_clean(v)) for k, v in (raw.get("local") or {}).items()}
    return UnitTerms(terms, places, local)


def _clean(words: Any) -> list[str]:
    return [w for w in (normalize(str(x)) for x in words or ()) if len(w.replace("+", "")) >= 2]


@dataclass(frozen=True)
class UnitArticle:
    """The parts of a knowledge-base article the assist uses."""

    id: str
    title: str
    unit: str
    body: str = ""
    tags: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> UnitArticle:
        return cls(
            id=str(data.get("id") or ""),
            title=str(data.get("title") or ""),
            unit=str(data.get("unit") or ""),
            body=str(data.get("body") or ""),
            tags=tuple(str(t) for t in data.get("tags") or ()),
        )


def duty_clauses(unit: Unit) -> list[str]:
    """The duties cut into short phrases (道路保洁, 垃圾清运 ...) for matching and reasons."""
    parts = [p.strip() for p in _CLAUSES.split(normalize(unit.duties))]
    out = []
    for part in parts:
        for generic in _GENERIC:
            part = part.replace(generic, "")
        if len(part) >= 2:
            out.append(part)
    return out


def pseudo_documents(
    units: Sequence[Unit], articles: Iterable[UnitArticle] = (), terms: UnitTerms | None = None
) -> tuple[list[str], list[str]]:
    """Training texts and unit codes cut from the directory and the knowledge base, and
    each everyday term as a text of its own (its characters then count for the unit
    even in words the table does not list: 占道 counts in 占了半条路)."""
    texts: list[str] = []
    labels: list[str] = []

    def add(code: str, text: str) -> None:
        text = normalize(text)
        if text:
            texts.append(text)
            labels.append(code)

    for unit in units:
        add(unit.code, f"{unit.name} {unit.short}")
        add(unit.code, unit.duties)
        add(unit.code, " ".join(unit.keywords))
        for keyword in unit.keywords:
            add(unit.code, keyword)
        for clause in duty_clauses(unit):
            add(unit.code, clause)
        for term in terms.terms.get(unit.code, ()) if terms is not None else ():
            add(unit.code, term.replace("+", " "))
    known = {u.code for u in units}
    for article in articles:
        if article.unit not in known:
            continue
        add(article.unit, f"{article.title} {' '.join(article.tags)}")
        for sentence in _SENTENCES.split(article.body):
            if len(sentence) >= 6:
                add(article.unit, f"{article.title} {sentence}")
    return texts, labels


def _owners(
    units: Sequence[Unit], articles: Sequence[UnitArticle], terms: UnitTerms
) -> dict[str, dict[str, tuple[float, str]]]:
    """Word -> unit code -> (weight factor, kind of evidence); a unit's strongest kind wins."""
    owners: dict[str, dict[str, tuple[float, str]]] = {}
    known = {u.code for u in units}

    def own(word: str, code: str, factor: float, kind: str) -> None:
        word = normalize(word)
        if len(word.replace("+", "")) >= 2:
            found = owners.setdefault(word, {})
            if factor > found.get(code, (0.0, ""))[0]:
                found[code] = (factor, kind)

    for unit in units:
        places = terms.places.get(unit.code, ())
        for word in (*unit.keywords, unit.short):
            if normalize(word) in places:
                own(word, unit.code, PLACE_WEIGHT, PLACE)
            else:
                own(word, unit.code, 1.0, KEYWORD)
        for word in places:
            own(word, unit.code, PLACE_WEIGHT, PLACE)
    for article in articles:
        for tag in article.tags:
            if article.unit in known and normalize(tag) not in _GENERIC_TAGS:
                own(tag, article.unit, TAG_WEIGHT, KEYWORD)
    for code, words in terms.terms.items():
        for word in words:
            own(word, code, TERM_WEIGHT, TERM)
    return owners


def _local_vocabulary(
    units: Sequence[Unit], terms: UnitTerms, places: set[str]
) -> dict[str, tuple[str, ...]]:
    """Town or zone code -> words of the matters any unit of its kind handles: what one
    town lists (村务公开, 农房翻建), a town the request names handles too."""
    out: dict[str, tuple[str, ...]] = {}
    for kind in LOCAL_KINDS:
        mine = [u for u in units if u.kind == kind]
        local = set(terms.local.get(kind, ()))
        for unit in mine:
            local.update(normalize(w) for w in unit.keywords)
            local.update(w for w in terms.terms.get(unit.code, ()) if "+" not in w)
        words = tuple(sorted(w for w in local - places if len(w) >= 2))
        out.update((unit.code, words) for unit in mine)
    return out


@dataclass
class DirectoryIndex:
    """Keyword and n-gram evidence for every unit of a routing directory.

    ``terms`` defaults to the shipped everyday-word table (:func:`unit_terms`). ``expand``
    (optional) maps a text to formal words matched at half weight, e.g.
    ``kb_index.synonyms.expand_colloquial`` passed by a composition root; the domain does
    not import kb_index itself (DESIGN: kb_index builds on workstation, not the reverse).
    """

    units: list[Unit]
    articles: list[UnitArticle] = field(default_factory=list)
    terms: UnitTerms | None = None
    expand: Expander | None = None

    def __post_init__(self) -> None:
        self.codes = [u.code for u in self.units]
        self._by_code = {u.code: u for u in self.units}
        if self.terms is None:
            self.terms = unit_terms(self.units)
        owners = _owners(self.units, self.articles, self.terms)
        places = {c: set(p) for c, p in self.terms.places.items()}
        n = max(len(self.units), 1)
        self._kinds = {
            w: {c: kind for c, (_, kind) in found.items()} for w, found in owners.items()
        }
        self._weights = {
            w: {c: math.log(1 + n / len(found)) * f for c, (f, _) in found.items()}
            for w, found in owners.items()
        }
        self._words = {w for w in owners if "+" not in w}
        self._lengths = sorted({len(w) for w in self._words}, reverse=True)
        self._combos = [(w, tuple(w.split("+"))) for w in owners if "+" in w]
        self._place_of = {w: c for c, ws in places.items() for w in ws}
        self._place_re = alternation(list(self._place_of))
        self._local_of = _local_vocabulary(self.units, self.terms, set(self._place_of))
        self._clauses = {u.code: duty_clauses(u) for u in self.units}
        self._articles_of: dict[str, list[UnitArticle]] = {}
        for article in self.articles:
            self._articles_of.setdefault(article.unit, []).append(article)
        self._clf: Any = None

    def unit(self, code: str) -> Unit | None:
        return self._by_code.get(code)

    def words_in(self, norm: str) -> list[str]:
        """Listed words and everyday terms in the text: the longest at each position unless
        it lies inside an earlier, longer one; then the A+B terms whose parts all occur."""
        found: list[str] = []
        words, lengths = self._words, self._lengths
        reach = 0  # a word inside a longer one is not said: 人民医院 in 第二人民医院
        for start in range(len(norm)):
            for size in lengths:
                piece = norm[start : start + size]
                if len(piece) == size and piece in words:
                    if start + size > reach and piece not in found:
                        found.append(piece)
                    reach = max(reach, start + size)
                    break
        found.extend(w for w, parts in self._combos if all(p in norm for p in parts))
        return found

    def keyword_hits(self, norm: str) -> dict[str, list[str]]:
        """Unit code -> keywords and everyday terms of that unit found in the text."""
        hits: dict[str, list[str]] = {}
        for word in self.words_in(norm):
            for code in self._weights[word]:
                hits.setdefault(code, []).append(word)
        return hits

    def keyword_scores(self, norm: str) -> tuple[dict[str, float], dict[str, list[str]]]:
        """Summed weights of the words found, per unit, and the words (for reasons)."""
        hits = self.keyword_hits(norm)
        scores = {c: sum(self._weights[w][c] for w in words) for c, words in hits.items()}
        named = {self._place_of[w] for ws in hits.values() for w in ws if w in self._place_of}
        for code in self._local_of if named else ():
            if code not in named and code in scores:  # another town's matter words
                scores[code] *= OTHER_PLACE_WEIGHT
        for code in named:
            local = self._local_hits(code, norm)
            scores[code] = scores.get(code, 0.0) + sum(local.values())
            got = hits.setdefault(code, [])
            got.extend(w for w in local if w not in got)
        formal = self._expanded(norm)
        if formal:
            for code, words in self.keyword_hits(formal).items():
                new = [w for w in words if w not in hits.get(code, ())]
                if new:
                    bonus = sum(self._weights[w][code] for w in new) * COLLOQUIAL_WEIGHT
                    scores[code] = scores.get(code, 0.0) + bonus
                    hits.setdefault(code, []).extend(new)
        return scores, hits

    def _local_hits(self, code: str, norm: str) -> dict[str, float]:
        """Local-matter words in the text for a town or zone it names, the strongest first:
        each weighs as much as for a unit of the same kind listing it, else a general one."""
        kind = self._by_code[code].kind
        peers = sum(1 for u in self.units if u.kind == kind)
        general = math.log(1 + len(self.units) / max(peers, 1)) * LOCAL_WEIGHT
        found = {
            w: max(
                (v for c, v in self._weights.get(w, {}).items() if self._by_code[c].kind == kind),
                default=general,
            )
            for w in self._local_of.get(code, ())
            if w in norm
        }
        return dict(sorted(found.items(), key=lambda item: -item[1])[:LOCAL_MAX])

    def _expanded(self, norm: str) -> str:
        """The formal words the colloquial vocabulary gives for the text ("" if none)."""
        if self.expand is None:
            return ""
        try:
            formal = [normalize(w) for w in self.expand(norm)]
        except Exception:  # a broken or missing vocabulary must never break intake
            self.expand = None
            return ""
        return " ".join(dict.fromkeys(w for w in formal if w and w not in norm))

    def kind(self, code: str, word: str) -> str:
        """What ``word`` is for ``code``: a listed keyword, an everyday term, its place
        name, or a local-matter word of a town the request names."""
        return self._kinds.get(word, {}).get(code, LOCAL)

    def hit_reasons(self, code: str, words: Sequence[str]) -> list[str]:
        """The words found for ``code``, grouped for the agent to read."""
        groups: dict[str, list[str]] = {}
        for word in words:
            groups.setdefault(self.kind(code, word), []).append(word.replace("+", "…"))
        out = []
        if groups.get(KEYWORD):
            out.append("关键词: " + "、".join(groups[KEYWORD]))
        if groups.get(TERM):
            out.append("常见说法: " + "、".join(groups[TERM]))
        if groups.get(PLACE):
            local = "（" + "、".join(groups[LOCAL]) + "）" if groups.get(LOCAL) else ""
            out.append("属地: " + "、".join(groups[PLACE]) + local)
        return out

    def fit(self) -> DirectoryIndex:
        """Train the pseudo-document classifier (a few seconds for 74 units and their KB)."""
        from assist.features import fit_linear

        texts, labels = pseudo_documents(self.units, self.articles, self.terms)
        self._clf = fit_linear(texts, labels, c=0.5)
        return self

    def classifier_scores(self, norm: str) -> dict[str, float]:
        """Scores on what the request is about: town and zone names are left out, as
        every pseudo-document of a town carries its name (the keywords weigh places)."""
        if self._clf is None:
            self.fit()
        return self._clf.scores(self._matter(norm))

    def ngram_reasons(self, code: str, norm: str) -> list[str]:
        if self._clf is None:
            self.fit()
        return self._clf.evidence(self._matter(norm), code)

    def _matter(self, norm: str) -> str:
        return self._place_re.sub("", norm) if self._place_of else norm

    def duty_reasons(self, code: str, norm: str, limit: int = 2) -> list[str]:
        """Duty phrases sharing the most character pairs with the text."""
        grams = {norm[i : i + 2] for i in range(len(norm) - 1)}
        scored = []
        for clause in self._clauses.get(code, []):
            cgrams = {clause[i : i + 2] for i in range(len(clause) - 1)}
            overlap = len(grams & cgrams)
            if overlap >= 2 or (overlap and len(cgrams) <= 2):
                scored.append((overlap / math.sqrt(len(cgrams) or 1), clause))
        scored.sort(reverse=True)
        return [c for _, c in scored[:limit]]

    def article_reasons(self, code: str, norm: str, limit: int = 2) -> list[UnitArticle]:
        grams = {norm[i : i + 2] for i in range(len(norm) - 1)}
        scored = []
        for article in self._articles_of.get(code, []):
            text = normalize(article.title + " " + " ".join(article.tags))
            agrams = {text[i : i + 2] for i in range(len(text) - 1)}
            overlap = len(grams & agrams)
            if overlap >= 3:
                scored.append((overlap / math.sqrt(len(agrams) or 1), article.id, article))
        scored.sort(key=lambda s: (-s[0], s[1]))
        return [a for _, _, a in scored[:limit]]
