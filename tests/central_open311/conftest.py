"""Fixtures: a real server per test, and the Open311 JSON schemas of ../shared/data/open311."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.central_reports.support import TZ, Server, db_urls, make_server

SCHEMAS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "open311"
NOW = datetime(2026, 11, 2, 9, 30, tzinfo=TZ)


@pytest.fixture(params=db_urls())
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Server:
    server = make_server(request.param, tmp_path, NOW)
    settings = server.store.settings
    open311 = settings.open311.model_copy(update={"rate_per_minute": 1000})
    server.store.settings = settings.model_copy(update={"open311": open311})
    return server


@pytest.fixture(scope="session")
def validate() -> Callable[[str, Any], None]:
    """``validate(name, document)`` against ``georeport_v2_schema_<name>.json``."""
    if not SCHEMAS.is_dir():
        pytest.skip("../shared/data/open311 is not available")
    from jsonschema import Draft7Validator, FormatChecker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    def load(name: str) -> dict[str, Any]:
        path = SCHEMAS / f"georeport_v2_schema_{name}.json"
        return json.loads(path.read_text(encoding="utf-8"))

    registry = Registry().with_resources(
        (f"{name}.json", Resource.from_contents(load(name), default_specification=DRAFT7))
        for name in ("request", "service")
    )

    def check(name: str, document: Any) -> None:
        Draft7Validator(load(name), registry=registry, format_checker=FormatChecker()).validate(
            document
        )

    return check
