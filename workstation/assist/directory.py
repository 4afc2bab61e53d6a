"""Cold-start unit ranking from the routing directory and the knowledge base (冷启动).

With no history, each unit is described by its name, duties (职责), keywords and the
knowledge-base articles it owns. Two signals: keyword hits weighted by how specific a
keyword is (a word listed by one unit says more than 村委会, listed by nine), and a
linear classifier on character n-grams trained on pseudo-documents cut from those
descriptions (each duty clause, keyword, article title, tag set and body sentence).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workstation.assist.text import alternation, normalize
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


@dataclass(frozen=True)
class Article:
    """The parts of a knowledge-base article the assist uses."""

    id: str
    title: str
    unit: str
    body: str = ""
    tags: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Article:
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
    units: Sequence[Unit], articles: Iterable[Article] = ()
) -> tuple[list[str], list[str]]:
    """Training texts and unit codes cut from the directory and the knowledge base."""
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
    known = {u.code for u in units}
    for article in articles:
        if article.unit not in known:
            continue
        add(article.unit, f"{article.title} {' '.join(article.tags)}")
        for sentence in _SENTENCES.split(article.body):
            if len(sentence) >= 6:
                add(article.unit, f"{article.title} {sentence}")
    return texts, labels


@dataclass
class DirectoryIndex:
    """Keyword and n-gram evidence for every unit of a routing directory."""

    units: list[Unit]
    articles: list[Article] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.codes = [u.code for u in self.units]
        self._by_code = {u.code: u for u in self.units}
        owners: dict[str, set[str]] = {}
        for unit in self.units:
            for word in (*unit.keywords, unit.short):
                word = normalize(word)
                if len(word) >= 2:
                    owners.setdefault(word, set()).add(unit.code)
        listed = set(owners)
        for article in self.articles:
            for tag in article.tags:
                tag = normalize(tag)
                if len(tag) >= 2 and article.unit in self._by_code and tag not in _GENERIC_TAGS:
                    owners.setdefault(tag, set()).add(article.unit)
        n = max(len(self.units), 1)
        self._owners = owners
        self._weight = {
            w: math.log(1 + n / len(c)) * (1.0 if w in listed else TAG_WEIGHT)
            for w, c in owners.items()
        }
        self._keyword_re = alternation(list(owners))
        self._clauses = {u.code: duty_clauses(u) for u in self.units}
        self._articles_of: dict[str, list[Article]] = {}
        for article in self.articles:
            self._articles_of.setdefault(article.unit, []).append(article)
        self._clf: Any = None

    def unit(self, code: str) -> Unit | None:
        return self._by_code.get(code)

    def keyword_hits(self, norm: str) -> dict[str, list[str]]:
        """Unit code -> keywords of that unit found in the (normalised) text."""
        hits: dict[str, list[str]] = {}
        for start in range(len(norm)):  # overlapping matches: 公积金 and 公积金提取
            match = self._keyword_re.match(norm, start)
            if match is None:
                continue
            word = match.group()
            for code in self._owners[word]:
                found = hits.setdefault(code, [])
                if word not in found and not any(word in f for f in found):
                    found.append(word)
        return hits

    def keyword_scores(self, norm: str) -> tuple[dict[str, float], dict[str, list[str]]]:
        hits = self.keyword_hits(norm)
        scores = {code: sum(self._weight[w] for w in words) for code, words in hits.items()}
        return scores, hits

    def fit(self) -> DirectoryIndex:
        """Train the pseudo-document classifier (about a second for 74 units)."""
        from workstation.assist.features import fit_linear

        texts, labels = pseudo_documents(self.units, self.articles)
        self._clf = fit_linear(texts, labels, c=0.5)
        return self

    def classifier_scores(self, norm: str) -> dict[str, float]:
        if self._clf is None:
            self.fit()
        return self._clf.scores(norm)

    def ngram_reasons(self, code: str, norm: str) -> list[str]:
        if self._clf is None:
            self.fit()
        return self._clf.evidence(norm, code)

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

    def article_reasons(self, code: str, norm: str, limit: int = 2) -> list[Article]:
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
