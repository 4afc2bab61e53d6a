"""The seat's article vectors: storing, status, staleness after edits, and the fallbacks
of the fused search (lexical alone when vectors are missing or of another encoder)."""

from __future__ import annotations

import numpy as np
import pytest

from kb_index.article import Article
from kb_index.encoder import Encoder, article_text, default_encoder, quantize, text_hash
from kb_index.errors import InvalidVector
from kb_index.knowledge_base import KnowledgeBase

ARTICLES = [
    {"id": "A1", "title": "居住证办理", "body": "外来人员在本市居住半年以上可申领居住证。"},
    {"id": "A2", "title": "护照办理", "body": "出国旅游需要护照，到出入境窗口申请。"},
    {"id": "A3", "title": "噪声扰民投诉", "body": "夜间施工、商铺音响过响，可向生态环境部门反映。"},
]


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return default_encoder()


@pytest.fixture
def kb(tmp_path) -> KnowledgeBase:
    kb = KnowledgeBase(tmp_path / "kb.sqlite3")
    kb.upsert_many(ARTICLES)
    return kb


def _rows(kb: KnowledgeBase, encoder: Encoder, ids: list[str]) -> list[tuple[str, str, bytes]]:
    articles = [kb.get(i) for i in ids]
    assert all(articles)
    vecs = quantize(encoder.embed_passages([article_text(a) for a in articles if a]))
    return [(a.id, text_hash(a), v.tobytes()) for a, v in zip(articles, vecs, strict=True) if a]


def test_put_status_missing_and_staleness(kb: KnowledgeBase, encoder: Encoder) -> None:
    version = encoder.version
    status = kb.vector_status(version)
    assert (status.articles, status.with_vectors, status.complete) == (3, 0, False)
    assert status.reason == "no_vectors"
    assert [a.id for a in kb.missing_vectors(version)] == ["A1", "A2", "A3"]

    assert kb.put_vectors(version, _rows(kb, encoder, ["A1", "A2"])) == 2
    status = kb.vector_status(version)
    assert status.with_vectors == 2 and not status.complete and status.reason == "partial"
    assert [a.id for a in kb.missing_vectors(version, limit=5)] == ["A3"]

    assert kb.put_vectors(version, _rows(kb, encoder, ["A3"])) == 1
    assert kb.vector_status(version).complete and kb.missing_vectors(version) == []

    # An edit changes the article's text: its vector no longer counts.
    kb.upsert({**ARTICLES[0], "body": "居住证可在网上申请，七个工作日办结。"})
    assert kb.vector_status(version).with_vectors == 2
    assert [a.id for a in kb.missing_vectors(version)] == ["A1"]
    # A tag-only edit also changes the embedded text.
    kb.upsert({**ARTICLES[1], "tags": ["出入境"]})
    assert [a.id for a in kb.missing_vectors(version)] == ["A1", "A2"]

    # A deleted article is neither counted nor missing; its vector no longer counts.
    kb.delete("A3")
    status = kb.vector_status(version)
    assert (status.articles, status.with_vectors) == (2, 0)

    # Another encoder's vectors do not count for this one.
    assert kb.vector_status("other-encoder").with_vectors == 0
    assert kb.delete_vectors(["A1", "A2", "A3", "nope"]) == 3


def test_put_vectors_checks_every_row_before_writing(kb: KnowledgeBase) -> None:
    good = ("A1", "abc", bytes(384))
    for bad in [("A2", "", bytes(384)), ("A2", "h", b""), ("A2", "h", "text"), ("A2", "h")]:
        with pytest.raises(InvalidVector):
            kb.put_vectors("v", [good, bad])  # type: ignore[list-item]
    with pytest.raises(InvalidVector):
        kb.put_vectors("v", [good, ("A2", "h", bytes(100))])
    with pytest.raises(InvalidVector):
        kb.put_vectors("", [good])
    assert kb.vector_status("v").with_vectors == 0


def test_embed_missing_is_resumable_and_reports_progress(kb: KnowledgeBase, encoder) -> None:
    kb.put_vectors(encoder.version, _rows(kb, encoder, ["A2"]))
    calls: list[tuple[int, int]] = []
    assert kb.embed_missing(encoder, progress=lambda d, t: calls.append((d, t)), batch=1) == 2
    assert calls[0] == (0, 2) and calls[-1] == (2, 2)
    assert kb.vector_status(encoder.version).complete
    assert kb.embed_missing(encoder) == 0


def test_vectors_survive_reopening_and_older_files_get_text_hashes(tmp_path, encoder) -> None:
    path = tmp_path / "kb.sqlite3"
    kb = KnowledgeBase(path)
    kb.upsert_many(ARTICLES)
    kb.embed_missing(encoder)
    kb.close()
    # A file from before vectors: no text_hash column, no scheme recorded.
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE kb_articles DROP COLUMN text_hash")
    conn.execute("DELETE FROM kb_meta")
    conn.commit()
    conn.close()
    again = KnowledgeBase(path)
    assert again.vector_status(encoder.version).complete
    assert again.search_fused("外地人在这边住要办什么证", encoder=encoder).dense_used


def test_fused_search_falls_back_to_lexical_with_the_reason(kb: KnowledgeBase, encoder) -> None:
    query = "晚上楼下商铺吵得睡不着觉"
    lexical = [h.id for h in kb.search(query)]
    result = kb.search_fused(query, encoder=encoder)
    assert (result.dense_used, result.reason) == (False, "no_vectors")
    assert [h.id for h in result.hits] == lexical

    kb.put_vectors("an-older-encoder", _rows(kb, encoder, ["A1", "A2", "A3"]))
    result = kb.search_fused(query, encoder=encoder)
    assert (result.dense_used, result.reason) == (False, "other_version")

    kb.embed_missing(encoder)
    assert kb.search_fused(query, encoder=encoder).dense_used
    for short_or_ascii, reason in [("噪声", "short"), ("huzhao", "ascii"), ("A 1 b", "ascii")]:
        result = kb.search_fused(short_or_ascii, encoder=encoder)
        assert (result.dense_used, result.reason) == (False, reason)
        assert [h.id for h in result.hits] == [h.id for h in kb.search(short_or_ascii)]
    assert kb.search_fused("   ", encoder=encoder).hits == []


def test_fused_search_follows_edits_deletes_and_filters(kb: KnowledgeBase, encoder) -> None:
    kb.embed_missing(encoder)
    query = "出国玩要办的证件"
    assert kb.search_fused(query, encoder=encoder).hits[0].id == "A2"
    kb.delete("A2")
    ids = [h.id for h in kb.search_fused(query, encoder=encoder).hits]
    assert "A2" not in ids
    kb.upsert({"id": "A4", "title": "港澳通行证", "body": "去香港澳门旅游需办理通行证。"})
    kb.embed_missing(encoder)
    assert kb.search_fused("去香港玩需要什么证", encoder=encoder).hits[0].id == "A4"
    # After vectors are deleted the seat falls back (most articles lack one).
    kb.delete_vectors(["A1", "A3", "A4"])
    assert kb.search_fused(query, encoder=encoder).reason == "no_vectors"


def test_dense_top_orders_by_cosine_and_honours_the_mask(tmp_path) -> None:
    import sqlite3

    from kb_index.dense import DenseIndex

    kb = KnowledgeBase(tmp_path / "kb.sqlite3")
    kb.upsert_many(ARTICLES)
    basis = np.eye(4, dtype=np.float32)
    rows = []
    for i, item in enumerate(ARTICLES):
        article = Article.from_mapping(item)
        rows.append((article.id, text_hash(article), quantize(basis[i]).tobytes()))
    kb.put_vectors("toy", rows)
    kb.close()
    conn = sqlite3.connect(tmp_path / "kb.sqlite3")
    index = DenseIndex.load(conn, "toy", 4)
    docs, scores = index.top(np.array([0.1, 0.0, 0.9, 0.0], dtype=np.float32), 2)
    ids = dict(conn.execute("SELECT doc, id FROM kb_articles"))
    assert [ids[d] for d in docs.tolist()] == ["A3", "A1"] and scores[0] > scores[1]
    mask = np.zeros(len(index.live), dtype=bool)
    mask[[d for d, i in ids.items() if i == "A2"]] = True
    assert [ids[d] for d in index.top(basis[2], 3, mask)[0].tolist()] == ["A2"]
