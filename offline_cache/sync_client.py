"""The sync client: push the outbox, pull changes, replay what is still pending.

Push sends pending commands in mutation-id order, gzip-compressed, in batches capped by
count and bytes; results are applied in one local transaction, batch after batch in
order. Pull pages are applied in one transaction together with the cursor (never a cursor
ahead of its data). The loop backs off with full jitter (capped at 5 minutes), honours
Retry-After, and is re-armed by every local write and every successful request.

On a weak link the time goes to waiting, so the client keeps the link busy: it asks for
slim push results (an applied command comes back without its order, which the pull brings
anyway), keeps up to ``PIPELINE`` push batches in flight (each on its own keep-alive
connection: HTTP/1.1 allows one request at a time per connection), and fetches the next
pull page while it stores the current one. Pipelining cannot reorder mutations: the
server applies a batch only if it starts at its ``last_mutation_id + 1`` (else 409, and
the batch is sent again once the batches before it are answered), and results are applied
strictly in batch order.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from offline_cache import apply as apply_mod
from offline_cache.crash_points import crash_point
from offline_cache.order_view import push_body
from offline_cache.session import API, session_token
from workstation.wire.sync import PUSH_RESPONSE, PullPage

if TYPE_CHECKING:
    import httpx

    from offline_cache.db import SeatDB
    from workstation.rule_checks import Context

MAX_COMMANDS = 1000
MAX_WIRE_BYTES = 1 << 20
MAX_RAW_BYTES = 8 << 20
PAGE = 1000
PIPELINE = 2  # push batches in flight at once
LONG_POLL_S = 25
"""How long the seat asks the server to hold a pull (``wait``; the server allows up to 30)."""


class SyncError(Exception):
    """Why a sync round stopped; the loop decides when to try again.

    ``report``: what the round did before it stopped (set by ``SyncClient.sync_once``).
    """

    report: SyncReport | None = None


class Offline(SyncError):
    """No answer (connect/read timeout, connection cut or refused)."""


class Transient(SyncError):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AuthExpired(SyncError):
    """401: the outbox is kept; a person has to log in again."""


class Refused(SyncError):
    """A 4xx other than 401/409/413: a bug or a revoked seat; retried slowly."""


class CursorAhead(SyncError):
    """409 ``cursor_ahead``: the server's change feed is behind this seat's cursor (the
    server was restored from a backup, or the seat's database from another server)."""

    def __init__(self, message: str, reason: dict[str, Any]) -> None:
        super().__init__(message)
        self.reason = reason


def reset_cursor(db: SeatDB, reason: dict[str, Any], now: datetime) -> None:
    """Start the pull over from 0 and put the reset on the problems list for a person."""
    import json

    from offline_cache.db import set_meta
    from offline_cache.ids import uuid7

    old = db.get_meta("cursor") or "0"
    note = {
        "code": "cursor_reset",
        "zh": f"服务器的同步位置落后于本座席（{old}），已从头重新同步",
        "en": f"the server's change feed is behind this seat's cursor {old}; pulled again from 0",
        "server": reason,
    }
    with db.transaction() as conn:
        set_meta(conn, "cursor", 0)
        conn.execute(
            "INSERT INTO problems(op_id, mutation_id, command, order_id, user, args, reason, at)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (
                f"cursor-reset-{uuid7()}",
                0,
                "pull",
                None,
                "",
                "{}",
                json.dumps(note),
                now.isoformat(),
            ),
        )


@dataclass
class Timeouts:
    connect: float = 10.0
    read: float = 60.0
    write: float = 60.0
    pool: float = 10.0


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


@dataclass(frozen=True)
class SeatIdentity:
    """Who syncs: the server the seat is enrolled with and the seat's outbox client id."""

    server_url: str
    client_id: str


@dataclass
class SyncReport:
    """What one sync round did (the caller keeps whatever state it needs of it)."""

    pushed: int = 0  # commands sent (replays of a 409 gap included)
    applied: int = 0  # results recorded as applied
    rejected: int = 0  # results recorded as rejected (now sync problems)
    pulled: int = 0  # changes received
    entities: set[str] = field(default_factory=set)  # kinds of change received
    changed: list[str] = field(default_factory=list)  # order ids whose view changed
    cursor: int | None = None  # the pull cursor after the round
    errors: list[str] = field(default_factory=list)
    online: bool = False  # the server answered (any status)
    push_limit: int | None = None  # the batch size the link supports now
    bytes_sent: int = 0
    completed: bool = False  # push, pull and the second push all done

    def note_changed(self, order_ids: list[str]) -> None:
        self.changed.extend(o for o in order_ids if o not in self.changed)


class SyncClient:
    """One sync round against the server: the seat database and a transport in, a report out.

    ``context`` and ``now`` give the rules the local view is recomputed with;
    ``kb_writer`` the KB on the seat's connection (pulled articles); ``on_change`` is told
    the order ids a batch or page changed as soon as they are stored (the screens refresh).
    """

    def __init__(
        self,
        db: SeatDB,
        identity: SeatIdentity,
        *,
        context: Callable[[], Context],
        now: Callable[[], datetime],
        transport: httpx.AsyncBaseTransport | None = None,
        kb_writer: Callable[[], Any] | None = None,
        on_change: Callable[[list[str]], None] | None = None,
        timeouts: Timeouts | None = None,
        push_limit: int | None = None,
        max_commands: int = MAX_COMMANDS,
        page: int = PAGE,
        pipeline: int = PIPELINE,
    ) -> None:
        self.db = db
        self.server_url = identity.server_url.rstrip("/")
        self.client_id = identity.client_id
        self.context, self.now = context, now
        self.transport = transport
        self.kb_writer = kb_writer
        self.on_change = on_change
        self.timeouts = timeouts or Timeouts()
        self.max_commands = max_commands
        self.page = page
        self.pipeline = max(1, pipeline)
        self.report = SyncReport(push_limit=push_limit)

    @property
    def succeeded(self) -> bool:
        """Any request answered in this round (re-arms the backoff)."""
        return self.report.online

    @property
    def bytes_sent(self) -> int:
        return self.report.bytes_sent

    def _changed(self, order_ids: list[str], always: bool = False) -> None:
        self.report.note_changed(order_ids)
        if (order_ids or always) and self.on_change is not None:
            self.on_change(order_ids)

    async def sync_once(self) -> SyncReport:
        """Push, pull, push what was written meanwhile; the report (raised with the error)."""
        import httpx

        if not self.server_url:
            raise self._failed(Refused("not enrolled"))
        t = self.timeouts
        timeout = httpx.Timeout(connect=t.connect, read=t.read, write=t.write, pool=t.pool)
        headers = {"Authorization": f"Bearer {session_token(self.db) or ''}"}
        try:
            async with httpx.AsyncClient(
                base_url=self.server_url + API,
                timeout=timeout,
                headers=headers,
                transport=self.transport,
            ) as client:
                await self.push_all(client)
                await self.pull_all(client)
                if self.db.scalar("SELECT 1 FROM outbox WHERE status='pending' LIMIT 1"):
                    await self.push_all(client)  # written while we pulled
        except httpx.HTTPError as exc:
            self.report.online = False
            raise self._failed(Offline(f"{type(exc).__name__}: {exc}")) from exc
        except SyncError as exc:
            raise self._failed(exc) from None
        self.report.online = True
        self.report.completed = True
        await asyncio.to_thread(apply_mod.mark_success, self.db, self.now())
        return self.report

    def _failed(self, error: SyncError) -> SyncError:
        self.report.errors.append(str(error))
        error.report = self.report
        return error

    def _answered(self, response: httpx.Response) -> None:
        """Common status handling; 2xx and handled codes return, others raise."""
        self.report.online = True
        if response.status_code == 401:
            apply_mod.set_needs_login(self.db)
            raise AuthExpired("401 unauthenticated")
        if response.status_code == 429 or response.status_code >= 500:
            raise Transient(f"HTTP {response.status_code}", _retry_after(response))

    # -- push ---------------------------------------------------------------------------

    async def push_all(self, client: httpx.AsyncClient) -> None:
        """Push every pending command: up to ``pipeline`` batches in flight, answered in order.

        A batch sent while an earlier one was still unanswered may reach the server first
        and get a 409 (the server refuses any gap): it is then simply sent again, after the
        earlier batches were answered. Any other failure cancels the batches in flight
        (they are either applied or not; a resend is an idempotent replay).
        """
        limit = min(self.max_commands, self.report.push_limit or self.max_commands)
        start: int | None = None  # a 409: resend from here, acknowledged or not
        gap: int | None = None  # the last gap resent from (the same one again: give up)
        inflight: list[tuple[list[dict[str, Any]], asyncio.Task[httpx.Response], bool]] = []
        try:
            while True:
                while len(inflight) < self.pipeline:
                    after = inflight[-1][0][-1]["mutation_id"] if inflight else None
                    batch = await self._next_batch(limit, start, after or 0)
                    if batch is None:
                        break
                    rows, body = batch
                    task = asyncio.ensure_future(self._post_push(client, rows, body))
                    inflight.append((rows, task, bool(inflight)))
                    start = None
                if not inflight:
                    return
                rows, task, behind = inflight.pop(0)
                response = await task
                if response.status_code == 409 or (response.status_code == 413 and len(rows) > 1):
                    await _cancel(inflight)
                    if response.status_code == 413:
                        limit = max(1, len(rows) // 2)
                    elif not behind:  # a real gap, not a batch that overtook another
                        info = response.json()
                        expected = int(info.get("expected") or info.get("last_mutation_id", 0) + 1)
                        if gap == expected or expected > rows[0]["mutation_id"]:
                            raise Refused(f"mutation gap: server expects {expected}")
                        start = gap = expected
                    continue
                if response.status_code != 200:
                    raise Refused(
                        f"push refused: HTTP {response.status_code} {response.text[:200]}"
                    )
                payload = PUSH_RESPONSE.validate_json(response.content)
                crash_point("after_push_response")
                changed, rejected = await asyncio.to_thread(
                    apply_mod.apply_results, self.db, payload, self.context(), self.now()
                )
                self.report.rejected += rejected
                self.report.applied += len(payload.results) - rejected
                self._changed(changed, always=True)
                gap = None
                limit = min(self.max_commands, limit * 2)
                self.report.push_limit = limit
        finally:
            await _cancel(inflight)

    async def _next_batch(
        self, limit: int, start: int | None, after: int
    ) -> tuple[list[dict[str, Any]], bytes] | None:
        """The next batch (rows, gzip body), halved until it fits the size caps."""
        while True:
            rows = await asyncio.to_thread(apply_mod.pending_rows, self.db, limit, start, after)
            if not rows:
                return None
            raw = push_body(rows, self.client_id)
            body = await asyncio.to_thread(gzip.compress, raw, 6)
            if (len(body) > MAX_WIRE_BYTES or len(raw) > MAX_RAW_BYTES) and len(rows) > 1:
                limit = max(1, len(rows) // 2)
                continue
            return rows, body

    async def _post_push(
        self, client: httpx.AsyncClient, rows: list[dict[str, Any]], body: bytes
    ) -> httpx.Response:
        import httpx

        try:
            response = await client.post(
                "/sync/push",
                content=body,
                params={"results": "slim"},
                headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
            )
        except httpx.ReadTimeout:
            # a slow server or link: smaller batches answer sooner (replays are free)
            self.report.push_limit = max(10, len(rows) // 2)
            raise
        self.report.bytes_sent += len(body)
        self.report.pushed += len(rows)
        self._answered(response)
        return response

    # -- pull ---------------------------------------------------------------------------

    async def pull_all(self, client: httpx.AsyncClient) -> None:
        """Pull to the end; a cursor the server says is ahead of it is reset to 0 (a full
        re-pull), and the reset is reported (``report.errors`` and the problems list)."""
        try:
            await self._pull_from_cursor(client)
        except CursorAhead as exc:
            await asyncio.to_thread(reset_cursor, self.db, exc.reason, self.now())
            self.report.errors.append(f"pull cursor reset: {exc}")
            await self._pull_from_cursor(client)

    async def _pull_from_cursor(self, client: httpx.AsyncClient) -> None:
        """Pull to the end; the next page is fetched while the current one is stored."""
        cursor = int(self.db.get_meta("cursor") or 0)
        fetch: asyncio.Task[PullPage] = asyncio.ensure_future(self._page(client, cursor))
        try:
            while True:
                page = await fetch
                more = page.has_more
                if more:
                    fetch = asyncio.ensure_future(self._page(client, page.cursor))
                changed = await asyncio.to_thread(
                    apply_mod.apply_page, self.db, cursor, page, self.context(), self.kb_writer
                )
                self.report.pulled += len(page.changes)
                self.report.entities.update(c.entity for c in page.changes)
                self._changed(changed)
                stored = int(self.db.get_meta("cursor") or 0)
                self.report.cursor = stored
                if not more:
                    return
                if stored != page.cursor:  # another round moved it: follow the store
                    fetch.cancel()
                    fetch = asyncio.ensure_future(self._page(client, stored))
                cursor = stored
        finally:
            fetch.cancel()
            fetch.add_done_callback(_retrieve)

    async def watch(self, wait: float) -> bool | None:
        """Long-poll the pull (``wait`` seconds): True when the server has news for this seat
        (a round then pulls it), False when the wait ran out quietly, None when the server
        does not hold pulls (an older one: no ``Pull-Wait``) or refused. A dropped
        connection raises ``httpx.HTTPError``: the loop simply watches again."""
        import httpx

        if not self.server_url:
            return None
        t = self.timeouts
        timeout = httpx.Timeout(connect=t.connect, read=wait + t.read, write=t.write, pool=t.pool)
        headers = {"Authorization": f"Bearer {session_token(self.db) or ''}"}
        cursor = int(self.db.get_meta("cursor") or 0)
        params = {"cursor": cursor, "limit": 1, "wait": max(1, int(wait))}
        async with httpx.AsyncClient(
            base_url=self.server_url + API, timeout=timeout, headers=headers,
            transport=self.transport,
        ) as client:  # fmt: skip
            response = await client.get("/sync/pull", params=params)
        if response.status_code != 200:
            return True if response.status_code in (401, 409) else None
        if "Pull-Wait" not in response.headers:
            return None
        try:
            return bool(PullPage.model_validate_json(response.content).changes)
        except ValueError:
            return None

    async def _page(self, client: httpx.AsyncClient, cursor: int) -> PullPage:
        response = await client.get("/sync/pull", params={"cursor": cursor, "limit": self.page})
        self._answered(response)
        if response.status_code == 409 and cursor > 0:
            try:
                reason = response.json()
            except ValueError:
                reason = {}
            if isinstance(reason, dict) and reason.get("error") == "cursor_ahead":
                raise CursorAhead(str(reason.get("en") or "cursor ahead"), reason)
        if response.status_code != 200:
            raise Refused(f"pull refused: HTTP {response.status_code} {response.text[:200]}")
        return PullPage.model_validate_json(response.content)


def _retrieve(task: asyncio.Task[Any]) -> None:
    """Read a dropped prefetch's error, so asyncio does not log it as never retrieved."""
    if not task.cancelled():
        task.exception()


async def _cancel(tasks: list[Any]) -> None:
    """Cancel requests still in flight and wait for them to end (errors included)."""
    for _rows, task, _behind in tasks:
        task.cancel()
    for _rows, task, _behind in tasks:
        with contextlib.suppress(BaseException):
            await task
    tasks.clear()


def full_jitter(attempt: int, base: float = 1.0, cap: float = 300.0) -> float:
    """AWS "full jitter": uniform in [0, min(cap, base·2^attempt)]."""
    return random.uniform(0.0, min(cap, base * (2 ** min(attempt, 30))))


class SyncLoop:
    """Runs sync rounds forever (in an async worker); ``wake()`` from any thread.

    ``sync_round`` runs one round (``SyncClient.sync_once`` on a fresh client, and whatever
    the caller keeps of its report); a ``SyncError`` it raises decides the backoff.
    ``watch`` (``SyncClient.watch`` on a fresh client): after a good round the loop waits on
    a long-poll instead of only sleeping, and runs a round as soon as the server has news
    for the seat; a watch that fails is retried after a short jittered pause, and a server
    without long-polls leaves the loop polling every ``poll`` seconds as before.
    """

    def __init__(
        self,
        sync_round: Callable[[], Awaitable[SyncReport]],
        poll: float = 30.0,
        base: float = 1.0,
        cap: float = 300.0,
        watch: Callable[[float], Awaitable[bool | None]] | None = None,
        wait: float = LONG_POLL_S,
    ) -> None:
        self.sync_round = sync_round
        self.watch, self.wait = watch, wait
        self.watches = 0  # long-polls answered (news or quiet)
        self.poll, self.base, self.cap = poll, base, cap
        self.attempt = 0
        self.not_before = 0.0
        self.last_delay: float | None = None
        self._event: asyncio.Event | None = None
        self._aloop: asyncio.AbstractEventLoop | None = None
        self._stopped = False
        self._rearm = False

    def wake(self) -> None:
        """A local write (or the user) asks for a sync now: re-arm the backoff."""
        self._rearm = True
        if self._event is not None and self._aloop is not None:
            self._aloop.call_soon_threadsafe(self._event.set)

    def stop(self) -> None:
        self._stopped = True
        self.wake()

    def next_delay(self, error: SyncError | None, succeeded: bool) -> float | None:
        if error is None:
            self.attempt = 0
            return self.poll
        if isinstance(error, AuthExpired):
            return None  # until someone logs in (login wakes the loop)
        if succeeded:
            self.attempt = 0
        self.attempt += 1
        delay = full_jitter(self.attempt, self.base, self.cap)
        if isinstance(error, Transient) and error.retry_after is not None:
            self.not_before = time.monotonic() + error.retry_after
            delay = max(delay, error.retry_after)
        return delay

    async def run(self) -> None:
        self._aloop = asyncio.get_running_loop()
        self._event = asyncio.Event()
        while not self._stopped:
            self._event.clear()
            self._rearm = False
            error: SyncError | None = None
            succeeded = True
            try:
                await self.sync_round()
            except SyncError as exc:
                error = exc
                succeeded = exc.report is not None and exc.report.online
            self.last_delay = delay = self.next_delay(error, succeeded)
            if error is None and self.watch is not None and delay is not None:
                await self._watch(delay)
            else:
                await self._sleep(delay)

    async def _watch(self, delay: float) -> None:
        """Until ``delay`` passes: long-poll; return at once on news or a local write."""
        assert self.watch is not None and self._event is not None
        deadline = time.monotonic() + delay
        failures = 0
        while not self._stopped:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            watch = asyncio.ensure_future(self.watch(min(self.wait, left)))
            woken = asyncio.ensure_future(self._event.wait())
            done, _ = await asyncio.wait(
                {watch, woken}, timeout=left + 1, return_when=asyncio.FIRST_COMPLETED
            )
            if watch not in done:
                watch.cancel()
            woken.cancel()
            with contextlib.suppress(BaseException):
                await watch
            if woken in done or self._rearm:  # a local write or the user: sync now
                self._event.clear()
                if self._stopped or self.not_before <= time.monotonic():
                    self.attempt = 0
                    return
            if watch not in done or watch.cancelled():
                continue
            if watch.exception() is not None:  # dropped: watch again after a short pause
                failures += 1
                await self._sleep(min(full_jitter(failures, self.base, self.poll), left))
                if self._rearm:
                    return
                continue
            failures = 0
            self.watches += 1
            news = watch.result()
            if news is None:  # an older server: plain polling
                await self._sleep(max(0.0, deadline - time.monotonic()))
                return
            if news:
                return

    async def _sleep(self, delay: float | None) -> None:
        assert self._event is not None
        deadline = None if delay is None else time.monotonic() + delay
        while not self._stopped:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return
            try:
                await asyncio.wait_for(self._event.wait(), left)
            except TimeoutError:
                return
            self._event.clear()
            if self._rearm:
                self.attempt = 0
                wait = self.not_before - time.monotonic()
                if wait <= 0:
                    return
                deadline = time.monotonic() + wait  # Retry-After still holds
