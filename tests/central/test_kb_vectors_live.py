"""The embed job run by a real server's job loop, in its own process, across a kill -9."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from central.testing import LiveServer, start_live_server

TOPICS = ["低保", "公积金", "噪音", "犬只", "停车", "供暖", "燃气", "社保", "户籍", "教育"]


def _wait_for(what: Callable[[], Any], limit_s: float = 120) -> Any:
    """Poll ``what`` until it returns something true (bounded by ``limit_s``)."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"not reached within {limit_s} s")


def _vector_changes(live: LiveServer, headers: dict[str, str]) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = []
    cursor = 0
    while True:
        r = httpx.get(
            f"{live.base_url}/api/v1/sync/pull",
            params={"cursor": cursor, "limit": 500},
            headers=headers,
            timeout=10,
        )
        r.raise_for_status()
        page = r.json()
        changes += [c for c in page["changes"] if c["entity"] == "kb_vector"]
        cursor = page["cursor"]
        if not page["has_more"]:
            return changes


def test_server_embeds_imported_articles_resumes_after_kill_and_remakes_edits(
    tmp_path: Path,
) -> None:
    with start_live_server(tmp_path, jobs_interval=0.2) as live:
        sup = {"Authorization": f"Bearer {live.login('super1', 'S01')}"}
        ids = [f"KB-{n:03d}" for n in range(40)]
        for n, article_id in enumerate(ids):
            topic = TOPICS[n % len(TOPICS)]
            body = f"关于{topic}的第{n}条办事指南：办理地点、所需材料和办理时限。"
            r = httpx.put(
                f"{live.base_url}/api/v1/kb/articles/{article_id}",
                json={"title": f"{topic}办事指南（{n}）", "body": body},
                headers=sup,
                timeout=10,
            )
            assert r.status_code == 200, r.text

        def status() -> dict[str, Any]:
            r = httpx.get(f"{live.base_url}/api/v1/kb/vectors", headers=sup, timeout=10)
            return dict(r.json())

        def embedding() -> dict[str, Any] | None:
            now = status()
            return now if 0 < now["current"] < 40 else None

        midway = _wait_for(embedding)
        assert midway["running"] and midway["articles"] == 40
        live.restart()  # kill -9 mid-job: the job's process stops after its batch in hand
        sup = {"Authorization": f"Bearer {live.login('super1', 'S01')}"}
        _wait_for(lambda: status()["current"] == 40)

        agent = {"Authorization": f"Bearer {live.login('agent1', 'S01')}"}
        changes = _vector_changes(live, agent)
        assert Counter(c["key"] for c in changes) == dict.fromkeys(ids, 1)  # none made twice

        r = httpx.put(
            f"{live.base_url}/api/v1/kb/articles/KB-007",
            json={"title": "家里老房子漏雨找谁修", "body": "危旧房屋维修补助的申请办法。"},
            headers=sup,
            timeout=10,
        )
        assert r.status_code == 200
        remade = _wait_for(lambda: len(_vector_changes(live, agent)) == 41)
        assert remade
        last = _vector_changes(live, agent)[-1]
        assert last["key"] == "KB-007" and last["data"]["text_hash"] != next(
            c["data"]["text_hash"] for c in changes if c["key"] == "KB-007"
        )
