"""The intake assist's trained model on a seat: announced by sync, fetched, verified, kept.

The server announces each model as an ``assist_model`` change ``{version, url, sha256,
orders}``; the pull stores it in ``entities`` with the cursor like any other entity.
After the pull transaction the file is fetched (async httpx, the session token) in a
background thread, so neither the sync round nor the UI waits for megabytes on a slow
link. A download whose SHA-256 differs from the announced one is discarded and retried
later with backoff; a good one is written atomically to
``<data_dir>/assist/model-<version>.npz`` and the two newest files are kept.
:func:`newest_path` is what ``SeatServices.assist_model_path`` returns.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from offline_cache.services import SeatServices

log = logging.getLogger(__name__)

FOLDER = "assist"
KEEP = 2
RETRY_META = "assist_model_retry"
RETRY_BASE_S = 60.0
RETRY_CAP_S = 3600.0
TIMEOUT_S = 300.0  # a few megabytes over a 256 kbit/s link

_lock = threading.Lock()
_busy: set[int] = set()  # id() of the services objects with a download thread running
_verified: dict[str, tuple[int, int, str]] = {}  # path -> (mtime_ns, size, sha256)


def folder(s: SeatServices) -> Path:
    return Path(s.data_dir) / FOLDER


def model_file(s: SeatServices, version: int) -> Path:
    return folder(s) / f"model-{int(version)}.npz"


def announced(s: SeatServices) -> list[dict[str, Any]]:
    """The models the server announced, newest first (from the pulled changes)."""
    rows = s.db.query("SELECT data FROM entities WHERE entity='assist_model'")
    out = []
    for row in rows:
        try:
            data = json.loads(row["data"])
            data["version"] = int(data["version"])
            if isinstance(data.get("sha256"), str) and data.get("url"):
                out.append(data)
        except (ValueError, KeyError, TypeError):
            continue
    return sorted(out, key=lambda d: -d["version"])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verified(path: Path, sha256: str) -> bool:
    """The file exists and hashes to ``sha256`` (hashed once per size and mtime)."""
    try:
        st = path.stat()
    except OSError:
        return False
    key = str(path)
    cached = _verified.get(key)
    if cached is not None and cached[:2] == (st.st_mtime_ns, st.st_size):
        return cached[2] == sha256
    digest = _sha256(path)
    _verified[key] = (st.st_mtime_ns, st.st_size, digest)
    return digest == sha256


def newest_path(s: SeatServices) -> Path | None:
    """The newest announced model whose file is here and verified; None before any."""
    for record in announced(s):
        path = model_file(s, record["version"])
        if verified(path, record["sha256"]):
            return path
    return None


def _wanted(s: SeatServices) -> dict[str, Any] | None:
    """The newest announced model, unless its file is here already."""
    records = announced(s)
    if not records:
        return None
    top = records[0]
    return None if verified(model_file(s, top["version"]), top["sha256"]) else top


def _retry_state(s: SeatServices) -> dict[str, Any]:
    raw = s.db.get_meta(RETRY_META)
    try:
        return dict(json.loads(raw)) if raw else {}
    except ValueError:
        return {}


def _set_retry(s: SeatServices, value: dict[str, Any] | None) -> None:
    from offline_cache.db import set_meta

    with s.db.transaction() as conn:
        set_meta(conn, RETRY_META, json.dumps(value) if value else None)


def _failed(s: SeatServices, version: int, why: str, now: float) -> None:
    state = _retry_state(s)
    attempts = int(state.get("attempts", 0)) + 1 if state.get("version") == version else 1
    delay = min(RETRY_CAP_S, RETRY_BASE_S * 2 ** (attempts - 1))
    log.warning("assist model v%s not installed (%s); retry in %.0f s", version, why, delay)
    _set_retry(s, {"version": version, "attempts": attempts, "next_at": now + delay, "error": why})


def write_atomically(path: Path, data: bytes) -> None:
    """Temp file in the same folder, fsync, rename, fsync the folder: all or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    if hasattr(os, "O_DIRECTORY"):
        fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def prune(s: SeatServices, keep: int = KEEP) -> None:
    """Keep the ``keep`` newest model files (and no stray temp files)."""
    files = []
    for path in folder(s).glob("model-*.npz"):
        stem = path.stem.removeprefix("model-")
        if stem.isdigit():
            files.append((int(stem), path))
    for _, path in sorted(files, reverse=True)[keep:]:
        path.unlink(missing_ok=True)
        _verified.pop(str(path), None)
    for tmp in folder(s).glob(".model-*.tmp"):
        if f".{os.getpid()}." not in tmp.name:
            tmp.unlink(missing_ok=True)


async def fetch_pending(
    s: SeatServices,
    client: httpx.AsyncClient | None = None,
    now: float | None = None,
) -> Path | None:
    """Download the newest announced model if it is missing; returns the file or None.

    ``client`` (tests, or a caller with a client open) must send the session token; by
    default one is opened on the seat's server URL with it. A failed or corrupt download
    leaves nothing behind and waits for its backoff (``now``: wall-clock seconds).
    """
    import httpx

    from offline_cache.session import session_token

    record = await asyncio.to_thread(_wanted, s)
    if record is None:
        return None
    version = record["version"]
    now = time.time() if now is None else now
    state = await asyncio.to_thread(_retry_state, s)
    if state.get("version") == version and now < float(state.get("next_at", 0)):
        return None
    url = str(record["url"])
    if client is None:
        info = s.seat()
        base = (info.server_url if info else "").rstrip("/")
        token = await asyncio.to_thread(session_token, s.db)
        if not base or not token:
            return None
        async with httpx.AsyncClient(
            timeout=httpx.Timeout(TIMEOUT_S, connect=10.0),
            headers={"Authorization": f"Bearer {token}"},
        ) as own:
            return await _download(s, own, base + url if url.startswith("/") else url, record, now)
    return await _download(s, client, url, record, now)


async def _download(
    s: SeatServices, client: httpx.AsyncClient, url: str, record: dict[str, Any], now: float
) -> Path | None:
    import httpx

    version = record["version"]
    try:
        response = await client.get(url)
    except httpx.HTTPError as exc:
        await asyncio.to_thread(_failed, s, version, f"{type(exc).__name__}: {exc}", now)
        return None
    if response.status_code != 200:
        await asyncio.to_thread(_failed, s, version, f"HTTP {response.status_code}", now)
        return None
    data = response.content
    digest = hashlib.sha256(data).hexdigest()
    if digest != record["sha256"]:
        await asyncio.to_thread(_failed, s, version, f"sha256 mismatch ({digest[:12]}…)", now)
        return None
    path = model_file(s, version)
    await asyncio.to_thread(_install, s, path, data, digest)
    return path


def _install(s: SeatServices, path: Path, data: bytes, digest: str) -> None:
    write_atomically(path, data)
    st = path.stat()
    _verified[str(path)] = (st.st_mtime_ns, st.st_size, digest)
    prune(s)
    _set_retry(s, None)


def downloading(s: SeatServices) -> bool:
    """A background download for this seat is running (tests wait for it to end)."""
    with _lock:
        return id(s) in _busy


def fetch_soon(s: SeatServices) -> bool:
    """After a pull: start a background download if a model is missing (cheap otherwise).

    Runs in a daemon thread with its own event loop, so it holds up neither the sync
    round nor the UI; at most one per seat at a time. True when one was started.
    """
    try:
        if _wanted(s) is None:
            return False
    except Exception:  # a closed database, a damaged row: never break the sync round
        log.exception("assist model check failed")
        return False
    with _lock:
        if id(s) in _busy:
            return False
        _busy.add(id(s))

    def run() -> None:
        try:
            asyncio.run(fetch_pending(s))
        except Exception:
            log.exception("assist model download failed")
        finally:
            with _lock:
                _busy.discard(id(s))

    threading.Thread(target=run, name="assist-model-download", daemon=True).start()
    return True
