"""Schemathesis in negative mode against a real server, as every role (issue 13).

``workstation serve`` runs in a subprocess on a seeded SQLite database, with a real user
of every role logged in (agent, callback operator, supervisor — who also edits the KB —,
the users of units U001 and U002, admin) and no one. Schemathesis reads the server's own
``/openapi.json`` and generates *invalid* requests for every operation (wrong types,
missing or extra fields, out-of-range values, malformed paths and queries); each is sent
with each role's credentials. Checks: never a 5xx, and never a 2xx for a request the
schema says is malformed (``negative_data_rejection``).

Runtime is bounded by a hypothesis profile: ``security`` (a few examples per operation,
the default) or ``security-thorough`` (``SECURITY_FUZZ_PROFILE=security-thorough``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import negative_data_rejection

from central.testing import LiveServer, start_live_server

ROLES = ("agent1", "callback1", "super1", "unit1", "unit2", "admin1")
SEATS = {"unit2": "S02"}
LIVE_ENV = {
    "WORKSTATION_API_DOCS": "true",
    # negative logins must not lock the shared loopback address out
    "WORKSTATION_SECURITY__LOGIN_ADDRESS_MAX_FAILURES": "1000000",
    "WORKSTATION_SECURITY__LOGIN_MAX_FAILURES": "1000000",
    "WORKSTATION_SECURITY__LOGIN_DELAY_AFTER": "1000000",
    "WORKSTATION_OPEN311_RATE_PER_MINUTE": "1000000",
}

_COMMON = {
    "deadline": None,
    "suppress_health_check": list(HealthCheck),
    "derandomize": True,
    "database": None,
}
settings.register_profile("security", max_examples=3, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("security-thorough", max_examples=60, **_COMMON)  # type: ignore[arg-type]
PROFILE = settings.get_profile(os.environ.get("SECURITY_FUZZ_PROFILE", "security"))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp: Path = tmp_path_factory.mktemp("negative")
    with start_live_server(tmp, env=LIVE_ENV) as server:
        yield server


class Sessions:
    """Each role's bearer header, logged in once."""

    def __init__(self, live: LiveServer) -> None:
        self.live = live
        self.headers: dict[str, dict[str, str]] = {}

    def of(self, role: str) -> dict[str, str]:
        if role not in self.headers:
            token = self.live.login(role, SEATS.get(role, "S01"))
            self.headers[role] = {"Authorization": f"Bearer {token}"}
        return self.headers[role]


@pytest.fixture(scope="module")
def sessions(live: LiveServer) -> Sessions:
    return Sessions(live)


@pytest.fixture(scope="module")
def negative_schema(live: LiveServer) -> Any:
    from schemathesis.config import SchemathesisConfig

    config = SchemathesisConfig.from_dict(
        {"generation": {"mode": "negative"}, "phases": {"coverage": {"enabled": False}}}
    )
    schema = schemathesis.openapi.from_url(f"{live.base_url}/openapi.json", config=config)
    return schema


NO_INPUT = ("/healthz", "/api/v1/seats/verify", "/api/v1/auth/logout", "/api/v1/kb/vectors")
"""Operations with nothing to make malformed but their credentials (schemathesis cannot
negate those); ``test_no_server_errors.py`` sweeps them with bad headers."""


negative = schemathesis.pytest.from_fixture("negative_schema").exclude(path=list(NO_INPUT))


@negative.parametrize()
@PROFILE
def test_malformed_requests_are_refused_for_every_role(case: Any, sessions: Sessions) -> None:
    for role in (*ROLES, None):
        headers = sessions.of(role) if role else {}
        response = case.call(headers=headers, timeout=30)
        case.validate_response(response, checks=[not_a_server_error, negative_data_rejection])
