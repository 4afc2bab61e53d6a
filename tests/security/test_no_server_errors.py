"""Issue 13, item 6 in general: no input of any kind produces a 5xx.

Seats treat a 5xx as transient and retry it forever, so a request that a 500 answers is a
request that never goes away. For every route of the app (``app.routes``, so a new route
is swept without editing this file), malformed path parameters, query parameters and
bodies (lone surrogates, huge strings, deep nesting, wrong types, broken JSON) are sent
without credentials and as users of two roles; every answer must be below 500.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.security.conftest import Secure

SURROGATE = "\ud800"
HUGE = "长" * 70_000
DEEP = 5_000


def nested(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


def json_bytes(value: Any) -> bytes:
    return json.dumps(value).encode("ascii")  # ensure_ascii: surrogates as \ud800 escapes


def bad_values() -> list[Any]:
    return [SURROGATE, "x" + SURROGATE * 3, HUGE, -1, 2**70, 1.5e308, True, None, [1], {"a": [{}]}]


def bad_bodies(route: Any) -> Iterator[bytes]:
    """Broken JSON, deep nesting, and the route's own body with each field made bad."""
    yield b"{"
    yield b"\xff\xfe\x00"
    yield b"[" * 200_000
    yield nested(DEEP)
    yield json_bytes(SURROGATE)
    yield json_bytes([])
    field = getattr(route, "body_field", None)
    annotation = getattr(getattr(field, "field_info", None), "annotation", None)
    names = list(getattr(annotation, "model_fields", {}) or {"x": None})
    for value in bad_values():
        yield json_bytes(dict.fromkeys(names, value))
    yield json_bytes({name: {"a": json.loads(nested(200))} for name in names})


PATH_VALUES = ["%ED%A0%80", "x" * 5000, "..%2F..%2Fetc", "-1", "9" * 40, "%00"]
QUERY_VALUES = [  # as sent on the wire: percent-encoded, invalid UTF-8 included
    "%ED%A0%80",
    "%FF%FE",
    "x" * 5000,
    "-1",
    "9" * 40,
    "0001-01-01T00%3A00%3A00-14%3A00",
    "%00",
]


def fill(path: str, value: str) -> str:
    import re

    return re.sub(r"\{[^}]+\}", value, path)


def routes(app: Any) -> list[Any]:
    """Every API route, through included routers (FastAPI keeps those as one entry)."""
    from fastapi.routing import APIRoute

    def walk(entries: Any) -> Iterator[Any]:
        for entry in entries:
            if isinstance(entry, APIRoute):
                yield entry
            elif hasattr(entry, "original_router"):
                yield from walk(entry.original_router.routes)

    return list(walk(app.routes))


def query_names(route: Any) -> list[str]:
    """The route's query parameters, its dependencies' included."""
    names: list[str] = []
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        names += [p.alias for p in dependant.query_params]
        pending += dependant.dependencies
    return sorted(set(names))


def send(client: Any, method: str, url: str, headers: dict[str, str], body: bytes = b"") -> str:
    """One request; a description of it when it answered 5xx, else ''."""
    h = {**headers, "Content-Type": "application/json"}
    r = client.request(method, url, content=body or None, headers=h)
    return f"{method} {url[:120]} {body[:60]!r} -> {r.status_code}" if r.status_code >= 500 else ""


def sweep(secure: Secure, headers: dict[str, str]) -> list[str]:
    client = secure.client()
    failures = []
    for route in routes(secure.app):
        path = route.path.replace("{fmt}", "json")
        for method in sorted(route.methods - {"HEAD"}):
            for value in PATH_VALUES:
                failures.append(send(client, method, fill(path, value), headers))
            for name in query_names(route):
                for value in QUERY_VALUES:
                    failures.append(
                        send(client, method, f"{fill(path, 'x')}?{name}={value}", headers)
                    )
            if method in ("POST", "PUT", "PATCH"):
                for body in bad_bodies(route):
                    failures.append(send(client, method, fill(path, "x"), headers, body))
    return [f for f in failures if f]


def test_the_sweep_reaches_every_router(secure: Secure) -> None:
    paths = {r.path for r in routes(secure.app)}
    for path in (
        "/healthz",
        "/api/v1/auth/login",
        "/api/v1/sync/push",
        "/open311/v2/requests.{fmt}",
    ):
        assert path in paths
    assert len(paths) >= 15


def test_every_route_answers_malformed_input_below_500(secure: Secure) -> None:
    seat = {"X-Seat-Token": secure.seeded.seat_tokens["S01"]}
    failures = sweep(secure, {})
    failures += sweep(secure, {**seat, **secure.bearer("super1")})
    failures += sweep(secure, {**seat, **secure.bearer("unit1")})
    assert not failures, "\n".join(failures[:40])


def push_body(secure: Secure, args: dict[str, Any], login: dict[str, Any]) -> bytes:
    """One dispatch, signed with the command key of ``login`` (so its args are what the
    server judges, not a missing proof)."""
    from workstation.wire.commands import command_proof

    command: dict[str, Any] = {
        "op_id": "op-1",
        "client_id": "client-S01",
        "mutation_id": 1,
        "order_id": "QD-S01-2603-0001",
        "command": "dispatch",
        "args": args,
        "base_version": None,
        "user": "agent1",
        "seat": "S01",
        "client_time": secure.clock.now.isoformat(),
        "session_id": login["session_id"],
    }
    command["proof"] = command_proof(login["command_key"], command)
    return json_bytes({"client_id": "client-S01", "commands": [command]})


DISPATCH = {
    "type": "complaint",
    "content": "小区门口路灯坏了一个月",
    "unit": "U001",
    "contact_id": "C-1",
    "caller_name": "张三",
    "caller_phone": "13912346025",
}


def deep(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"a": value}
    return value


PUSH_ATTACKS = {
    "surrogate in args": {**DISPATCH, "content": "路灯" + SURROGATE},
    "args nested 450 deep": {**DISPATCH, "extra": deep(450)},
}


@pytest.mark.parametrize("attack", list(PUSH_ATTACKS))
def test_push_with_malformed_args_is_not_a_500(secure: Secure, attack: str) -> None:
    login = secure.login("agent1", address="192.0.2.200").json()
    r = secure.client().post(
        "/api/v1/sync/push",
        content=push_body(secure, PUSH_ATTACKS[attack], login),
        headers={"Authorization": f"Bearer {login['token']}", "Content-Type": "application/json"},
    )
    assert r.status_code < 500, r.text
    if r.status_code == 200:  # accepted for processing: the command itself is refused, final
        (result,) = r.json()["results"]
        assert result["status"] == "rejected", result
        assert result["reason"]["code"] == "invalid", result  # the args, not the proof
