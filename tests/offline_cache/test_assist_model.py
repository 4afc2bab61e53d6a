"""The seat's copy of the intake-assist model: verified, atomic, retried, the last two kept."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import httpx

from offline_cache import assist_model
from offline_cache.order_view import upsert_entity
from offline_cache.services import SeatServices


def announce(s: SeatServices, version: int, data: bytes) -> None:
    """As a pulled ``assist_model`` change leaves it in the seat database."""
    record = {
        "version": version,
        "url": f"/api/v1/assist/model/{version}",
        "sha256": hashlib.sha256(data).hexdigest(),
        "orders": 100,
    }
    with s.db.transaction() as conn:
        upsert_entity(conn, "assist_model", str(version), record)


class Server:
    """A model server in a MockTransport: ``files`` by path; counts requests."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []

    def client(self) -> httpx.AsyncClient:
        def handle(request: httpx.Request) -> httpx.Response:
            self.requests.append(request.url.path)
            body = self.files.get(request.url.path)
            if body is None:
                return httpx.Response(404, json={"error": "not_found"})
            return httpx.Response(200, content=body)

        return httpx.AsyncClient(
            transport=httpx.MockTransport(handle), base_url="http://server.test"
        )


async def test_a_corrupt_download_is_discarded_and_retried_later(
    seat: Callable[..., SeatServices],
) -> None:
    s = seat()
    good = b"model bytes v1 " * 1000
    announce(s, 1, good)
    server = Server()
    server.files["/api/v1/assist/model/1"] = good[:-1] + b"X"  # damaged on the way
    now = 1_000_000.0
    async with server.client() as client:
        assert await assist_model.fetch_pending(s, client, now=now) is None
        assert s.assist_model_path() is None
        assert not list(assist_model.folder(s).glob("*"))  # nothing half-written left
        # backing off: no new request until the retry time
        assert await assist_model.fetch_pending(s, client, now=now + 10) is None
        assert len(server.requests) == 1
        server.files["/api/v1/assist/model/1"] = good
        path = await assist_model.fetch_pending(s, client, now=now + 61)
    assert path == assist_model.model_file(s, 1) and path.read_bytes() == good
    assert s.assist_model_path() == path
    assert s.db.get_meta(assist_model.RETRY_META) is None
    assert len(server.requests) == 2


async def test_backoff_grows_and_a_file_damaged_on_disk_is_not_used(
    seat: Callable[..., SeatServices],
) -> None:
    s = seat()
    good = b"v1" * 500
    announce(s, 1, good)
    server = Server()  # 404 at first
    async with server.client() as client:
        await assist_model.fetch_pending(s, client, now=0.0)
        await assist_model.fetch_pending(s, client, now=61.0)
        state: dict[str, Any] = __import__("json").loads(s.db.get_meta("assist_model_retry"))
        assert state["attempts"] == 2 and state["next_at"] == 61.0 + 120.0
        server.files["/api/v1/assist/model/1"] = good
        path = await assist_model.fetch_pending(s, client, now=500.0)
    assert path is not None and s.assist_model_path() == path
    path.write_bytes(b"tampered")
    assert s.assist_model_path() is None  # verified against the announced sha256


async def test_keeps_the_two_newest_models(seat: Callable[..., SeatServices]) -> None:
    s = seat()
    server = Server()
    async with server.client() as client:
        for version in (1, 2, 3):
            data = f"model {version}".encode() * 100
            server.files[f"/api/v1/assist/model/{version}"] = data
            announce(s, version, data)
            assert await assist_model.fetch_pending(s, client) == assist_model.model_file(
                s, version
            )
        assert await assist_model.fetch_pending(s, client) is None  # nothing missing
    names = sorted(p.name for p in assist_model.folder(s).iterdir())
    assert names == ["model-2.npz", "model-3.npz"]
    assert s.assist_model_path() == assist_model.model_file(s, 3)


def test_nothing_announced_nothing_fetched(seat: Callable[..., SeatServices]) -> None:
    s = seat()
    assert s.assist_model_path() is None
    assert assist_model.fetch_soon(s) is False
