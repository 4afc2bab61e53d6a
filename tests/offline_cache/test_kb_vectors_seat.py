"""A seat gets article vectors with the KB deltas and searches fused; without them, lexically."""

from __future__ import annotations

import asyncio
import base64
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from central.testing import LiveServer, start_live_server
from tests.offline_cache.helpers import live_seat, pull_page

ARTICLES = {
    "KB-HOUSE": ("危旧房屋维修补助申请", "低保、特困家庭居住的危旧房屋，可向住建局申请维修补助。"),
    "KB-FUND": ("住房公积金提取办法", "购房、租房、退休可提取住房公积金，到公积金中心办理。"),
    "KB-NOISE": ("夜间施工噪音投诉", "夜间施工噪音可向生态环境局投诉，22时至次日6时禁止施工。"),
    "KB-DOG": ("犬只登记办理", "养犬人应当为犬只办理登记并年检，携带免疫证明到公安机关。"),
    "KB-BUS": ("公交线路调整咨询", "公交线路调整以交通运输局公告为准，可拨打公交热线查询。"),
}
COLLOQUIAL = "我家老房子下雨就漏，听说政府能帮着修，我们家就靠低保过日子，该找谁"


def _wait_for(what: Any, limit_s: float = 120) -> Any:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if found := what():
            return found
        time.sleep(0.05)
    raise AssertionError(f"not reached within {limit_s} s")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with start_live_server(tmp_path_factory.mktemp("central"), jobs_interval=0.2) as srv:
        token = srv.login("super1", "S01")
        for article_id, (title, body) in ARTICLES.items():
            httpx.put(
                f"{srv.base_url}/api/v1/kb/articles/{article_id}",
                json={"title": title, "body": body},
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            ).raise_for_status()
        _wait_for(lambda: _status(srv, token)["current"] == len(ARTICLES))
        yield srv


def _status(server: LiveServer, token: str) -> dict[str, Any]:
    r = httpx.get(
        f"{server.base_url}/api/v1/kb/vectors",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    return dict(r.json())


def test_seat_pulls_vectors_and_the_fused_search_finds_a_colloquial_question(
    server: LiveServer, tmp_path: Path
) -> None:
    seat = live_seat(server, tmp_path / "a", "S01", "agent1")
    asyncio.run(seat.sync_once())
    status = seat.kb_search_status()
    assert (status.articles, status.with_vectors, status.semantic_on) == (5, 5, True)
    result = seat.search_kb_fused(COLLOQUIAL, limit=3)
    assert result.dense_used and result.hits[0].id == "KB-HOUSE"
    pinyin = seat.search_kb_fused("gongjijin", limit=3)
    assert not pinyin.dense_used and pinyin.reason == "ascii"

    token = server.login("super1", "S01")
    httpx.delete(
        f"{server.base_url}/api/v1/kb/articles/KB-BUS",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).raise_for_status()
    asyncio.run(seat.sync_once())
    status = seat.kb_search_status()
    assert (status.articles, status.with_vectors) == (4, 4)
    assert seat.kb.missing_vectors(status.version) == []
    seat.close()


def test_seat_without_vectors_stays_lexical_and_never_embeds_at_start(
    server: LiveServer, tmp_path: Path
) -> None:
    seat = live_seat(server, tmp_path / "b", "S02", "agent1")
    page = {
        "cursor": 2,
        "changes": [
            {"seq": 1, "entity": "kb_article", "key": "KB-HOUSE", "op": "upsert",
             "data": {"title": ARTICLES["KB-HOUSE"][0], "body": ARTICLES["KB-HOUSE"][1]}},
            {"seq": 2, "entity": "kb_vector", "key": "KB-HOUSE", "op": "upsert",
             "data": {"version": "x", "text_hash": "y", "dim": 384, "vec": "not base64!"}},
        ],
    }  # fmt: skip
    pull_page(seat, 0, page)  # the malformed vector is dropped, the article is applied
    seat.warm_up()
    status = seat.kb_search_status()
    assert (status.articles, status.with_vectors, status.semantic_on) == (1, 0, False)
    result = seat.search_kb_fused("老房子漏雨该找谁修", limit=3)
    assert not result.dense_used and result.reason == "no_vectors"
    assert [h.id for h in result.hits] == [h.id for h in seat.search_kb("老房子漏雨该找谁修", 3)]


def test_vectors_of_another_encoder_version_leave_the_seat_lexical(
    server: LiveServer, tmp_path: Path
) -> None:
    seat = live_seat(server, tmp_path / "c", "S01", "agent1")
    asyncio.run(seat.sync_once())
    encoder = seat.assist.encoder()
    assert encoder is not None
    vec = base64.b64encode(bytes(encoder.dim)).decode()
    from kb_index.encoder import text_hash

    live = [a for key in ARTICLES if (a := seat.kb.get(key)) is not None]
    changes = [
        {"seq": 10_000 + n, "entity": "kb_vector", "key": a.id, "op": "upsert",
         "data": {"version": "older-encoder", "text_hash": text_hash(a), "dim": encoder.dim,
                  "vec": vec}}
        for n, a in enumerate(live)
    ]  # fmt: skip
    cursor = int(seat.db.get_meta("cursor") or 0)
    pull_page(seat, cursor, {"cursor": cursor + 1, "changes": changes})
    status = seat.kb_search_status()
    assert status.with_vectors < status.articles and not status.semantic_on
    assert not seat.search_kb_fused(COLLOQUIAL).dense_used
    seat.close()
