"""Issue 13, item 8: ``/docs``, ``/redoc`` and ``/openapi.json`` were public everywhere.

They are off unless ``[security] api_docs`` (``WORKSTATION_API_DOCS``) turns them on; the
demo turns them on.
"""

from __future__ import annotations

from pathlib import Path

from tests.security.conftest import build

DOCS = ("/docs", "/redoc", "/openapi.json")


def test_api_docs_are_off_by_default(db_url: str, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    secure = build(db_url, tmp_path)
    assert secure.store.settings.security.api_docs is False
    with TestClient(secure.app) as client:
        assert [client.get(path).status_code for path in DOCS] == [404, 404, 404]
        assert client.get("/healthz").status_code == 200


def test_api_docs_when_turned_on(db_url: str, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    secure = build(db_url, tmp_path, api_docs=True)
    with TestClient(secure.app) as client:
        assert [client.get(path).status_code for path in DOCS] == [200, 200, 200]
        assert "/api/v1/auth/login" in client.get("/openapi.json").json()["paths"]


def test_the_setting_comes_from_the_environment_and_the_demo_sets_it() -> None:
    from hotline import demo
    from workstation.config import load_settings

    assert load_settings(env={"WORKSTATION_API_DOCS": "true"}).security.api_docs is True
    assert load_settings(env={}).security.api_docs is False
    source = Path(demo.__file__).read_text(encoding="utf-8")
    assert '"WORKSTATION_API_DOCS": "true"' in source
