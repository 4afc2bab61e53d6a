"""The fast paths give the same answers as the simple ones they replace."""

from __future__ import annotations

import json
import random

import pytest

from kb_index import memindex, postings
from kb_index.article import Article
from kb_index.forward import article_terms, article_terms_many
from kb_index.knowledge_base import KnowledgeBase
from kb_index.phrases import PhraseCounter, PhraseTable

WORDS = [
    "社保卡",
    "补办",
    "公积金",
    "提取",
    "租房",
    "办理",
    "咨询",
    "小区",
    "停车",
    "醫保",
    "12345",
]


def _articles(n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        title = "".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4)))
        body = "，".join(rng.choice(WORDS) for _ in range(rng.randint(0, 30)))
        tags = rng.sample(WORDS, rng.randint(0, 2))
        out.append({"id": f"T{i}", "title": title, "body": body, "tags": tags, "category": "c"})
    return out


def test_batch_forward_rows_equal_one_by_one():
    items = [Article.from_mapping(a) for a in _articles(300)]
    items.append(Article.from_mapping({"id": "x", "title": "𠀀𠀁 ABC", "body": ""}))
    assert article_terms_many(items) == [article_terms(a) for a in items]


def test_bulk_phrase_counts_equal_incremental():
    arts = _articles(200)
    one_by_one = PhraseTable()
    bulk = PhraseCounter()
    for a in arts:
        one_by_one.add(a["title"], json.dumps(a["tags"], ensure_ascii=False))
    one_by_one.finish()
    for i in range(0, len(arts), 64):
        chunk = arts[i : i + 64]
        bulk.add_chunk(
            [a["title"] for a in chunk], [json.dumps(a["tags"], ensure_ascii=False) for a in chunk]
        )
    table = bulk.table()
    assert table.counts == one_by_one.counts
    assert table.by_initials == one_by_one.by_initials


@pytest.mark.parametrize("head", [3, 10_000])
def test_head_and_tail_scores_are_exact(tmp_path, monkeypatch, head):
    """Splitting long lists into head and tail changes cost, not the candidates' scores."""
    monkeypatch.setattr(postings, "HEAD_POSTINGS", head)
    monkeypatch.setattr(memindex, "HEAD_POSTINGS", head)
    monkeypatch.setattr(postings, "CHUNK_DOCS", 50)
    monkeypatch.setattr(memindex, "CHUNK_DOCS", 50)
    monkeypatch.setattr(memindex, "TAIL_CANDIDATES", 10_000)
    kb = KnowledgeBase(tmp_path / "kb.sqlite3")
    kb.upsert_many(_articles(400))
    kb.warm_up()
    index = kb._current_index()
    terms = {int(k): 1.0 for k in index.main.keys[:40]}
    docs, scores = index.score(terms, max_terms=40)
    monkeypatch.setattr(memindex, "HEAD_POSTINGS", 10**9)  # every list scanned in full
    full_docs, full_scores = index.score(terms, max_terms=40)
    got = dict(zip(docs.tolist(), scores.tolist(), strict=True))
    want = dict(zip(full_docs.tolist(), full_scores.tolist(), strict=True))
    # Articles matching only in tails are not candidates (their head score is 0); every
    # candidate's score is the full one.
    assert got.keys() <= want.keys()
    assert head < 10_000 or got.keys() == want.keys()
    assert max(want, key=want.__getitem__) in got
    assert all(abs(got[d] - want[d]) < 1e-9 for d in got)
