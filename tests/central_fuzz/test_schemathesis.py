"""No request can produce a 500: schemathesis against the whole app's OpenAPI schema.

In process (ASGI transport, no network), a bounded number of examples per operation, once
as a supervisor (a real session) and once without credentials. The check is
``not_a_server_error``; a 503 with Retry-After (a busy database) would also fail it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.central_reports.support import TZ, Server, make_server

EXAMPLES = 5  # per operation and phase; the coverage phase adds its own cases


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Server:
    from fastapi.testclient import TestClient

    from central.app import create_app

    server = make_server(
        "sqlite", tmp_path_factory.mktemp("fuzz"), datetime(2026, 11, 2, 9, tzinfo=TZ)
    )
    settings = server.store.settings  # the schema at /openapi.json: API docs on
    security = settings.security.model_copy(update={"api_docs": True})
    server.store.settings = settings.model_copy(update={"security": security})
    server.client = TestClient(
        create_app(server.store, run_jobs=False), raise_server_exceptions=False
    )
    args = {"type": "complaint", "content": "路灯不亮", "unit": "U001", "contact_id": "C-1",
            "caller_phone": "13912346025"}  # fmt: skip
    server.run("dispatch", "QD-S01-2611-0001", args, "agent1", server.clock.now)
    server.client.post(
        "/open311/v2/requests.json", data={"service_code": "QD-021", "description": "咨询"}
    )
    return server


@pytest.fixture(scope="module")
def api_schema(fuzz_server: Server) -> Any:
    """Every phase (examples, coverage of edge and invalid values, fuzzing)."""
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_server.client.app)


@pytest.fixture(scope="module")
def public_schema(fuzz_server: Server) -> Any:
    """Without credentials most routes stop at 401: fuzzing only, to keep the time down."""
    from schemathesis.config import SchemathesisConfig

    config = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_server.client.app, config=config)


schema = schemathesis.pytest.from_fixture("api_schema")
public = schemathesis.pytest.from_fixture("public_schema")
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


@schema.parametrize()
@SETTINGS
def test_no_server_error_as_supervisor(case: Any, fuzz_server: Server) -> None:
    if case.path.endswith("/auth/logout"):  # would end the shared session
        fuzz_server.tokens.pop("sup", None)
    response = case.call(headers=fuzz_server.login("sup"))
    if case.path.endswith("/auth/logout"):
        fuzz_server.tokens.pop("sup", None)
    case.validate_response(response, checks=[not_a_server_error])


@public.parametrize()
@SETTINGS
def test_no_server_error_unauthenticated(case: Any) -> None:
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error])
