"""GET /api/v1/reports/assessment and `workstation admin report` on a real database.

November 2026 (no holidays), orders made through the server's command path:
- A: U001 complaint Nov 2, signed Nov 3 (on time), replied Nov 6, callback satisfied+resolved.
- B: U002 Nov 2, returned Nov 3, reassigned to U001 Nov 4 (due Nov 13), signed Nov 9
  (late), never replied: overdue by December.
- C: U002 Nov 10, signed the same day, replied Nov 12.
- D: U001 Oct 28 (due Nov 6), never signed: not received in November, but overdue in it
  (still open past its deadline at the period's end), like the inbox shows it.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import pytest

from tests.central_reports.support import TZ, Server, db_urls, make_server


def at(day: int, hour: int = 9, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=TZ)


def dispatch(server: Server, order_id: str, unit: str, when: datetime) -> None:
    args = {
        "type": "complaint",
        "content": "小区门口路灯不亮，来电人 13912346025",
        "unit": unit,
        "caller_phone": "13912346025",
        "contact_id": f"C-{order_id}",
    }
    server.run("dispatch", order_id, args, "agent1", when)


@pytest.fixture(scope="module", params=db_urls())
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Server:
    """Read-only scenario, built once per module (and per database)."""
    s = make_server(request.param, tmp_path_factory.mktemp("reports"), at(1))
    dispatch(s, "A", "U001", at(2))
    s.run("sign", "A", {}, "u1", at(3))
    s.run("reply", "A", {"result": "已修复"}, "u1", at(6))
    s.run("create_callback", "A", {}, "system", at(6, 10))
    cb = {"reached": True, "satisfaction": "satisfied", "resolved": True}
    s.run("record_callback", "A", cb, "cb1", at(9))
    dispatch(s, "B", "U002", at(2))
    s.run("return_order", "B", {"reason": "非本单位职责", "basis": "三定方案"}, "u2", at(3))
    s.run("reassign", "B", {"unit": "U001", "reason": "协调后改派"}, "sup", at(4))
    s.run("sign", "B", {}, "u1", at(9))
    dispatch(s, "C", "U002", at(10))
    s.run("sign", "C", {}, "u2", at(10, 11))
    s.run("reply", "C", {"result": "已答复"}, "u2", at(12))
    dispatch(s, "D", "U001", at(28, month=10))
    s.clock.now = at(1, 10, month=12)
    return s


NOV = {"start": "2026-11-01", "end": "2026-12-01"}


def rows_of(body: dict) -> dict[str, dict]:
    return {r["unit"]: r for r in body["rows"]}


def test_supervisor_sees_every_unit(server: Server) -> None:
    r = server.client.get("/api/v1/reports/assessment", params=NOV, headers=server.login("sup"))
    assert r.status_code == 200, r.text
    body = r.json()
    rows = rows_of(body)
    assert list(rows) == ["U001", "U002", "U003"]
    u1, u2, u3 = rows["U001"], rows["U002"], rows["U003"]
    assert u1["unit_name"] == "启东市汇龙镇人民政府"
    assert (u1["received"], u1["signed_on_time"], u1["completed_on_time"], u1["overdue"]) == (
        2,
        1,
        1,
        2,  # B, and D from October
    )
    assert (u1["callbacks"], u1["satisfied"], u1["resolved"]) == (1, 1, 1)
    assert (u1["response_rate"], u1["satisfaction_rate"], u1["resolution_rate"]) == (0.5, 1.0, 1.0)
    assert (u2["received"], u2["signed_on_time"], u2["returned"], u2["completed_on_time"]) == (
        2,
        1,
        1,
        1,
    )
    assert u2["overdue"] == 0 and u2["satisfaction_rate"] is None
    assert u3["received"] == 0 and u3["response_rate"] is None
    assert body["totals"]["received"] == 4 and body["totals"]["unit_name"] == "合计"
    assert body["start"] == "2026-11-01T00:00:00+08:00"


def test_matches_the_domain_computation(server: Server) -> None:
    """The report is exactly workstation.assessment over the stored orders."""
    from central.reports import load_orders, period
    from workstation.assessment import assess

    begin, end = period(server.store, datetime(2026, 11, 1).date(), datetime(2026, 12, 1).date())
    with server.store.db.read() as conn:
        orders = load_orders(conn, begin, end)
    assert sorted(o.order_id for o in orders) == ["A", "B", "C", "D"]
    expected = assess(
        orders, begin, end, calendar=server.store.settings.calendar(), as_of=server.clock.now
    )
    r = server.client.get("/api/v1/reports/assessment", params=NOV, headers=server.login("adm"))
    assert r.json()["totals"] == expected.totals.to_dict()


def test_unit_user_sees_only_its_own_unit(server: Server) -> None:
    headers = server.login("u2")
    r = server.client.get("/api/v1/reports/assessment", params=NOV, headers=headers)
    assert r.status_code == 200
    assert [row["unit"] for row in r.json()["rows"]] == ["U002"]
    assert r.json()["totals"]["received"] == 2
    own = server.client.get(
        "/api/v1/reports/assessment", params={**NOV, "unit": "U002"}, headers=headers
    )
    assert own.status_code == 200
    for other in ("U001", "U003", "U999"):
        r = server.client.get(
            "/api/v1/reports/assessment", params={**NOV, "unit": other}, headers=headers
        )
        assert r.status_code == 403, other
        assert r.json()["error"] == "forbidden"
    csv_other = server.client.get(
        "/api/v1/reports/assessment",
        params={**NOV, "unit": "U001", "format": "csv"},
        headers=headers,
    )
    assert csv_other.status_code == 403


@pytest.mark.parametrize("user", ["agent1", "cb1"])
def test_other_roles_are_refused(server: Server, user: str) -> None:
    r = server.client.get("/api/v1/reports/assessment", params=NOV, headers=server.login(user))
    assert r.status_code == 403
    assert set(r.json()) >= {"error", "zh", "en"}


def test_unauthenticated_is_401(server: Server) -> None:
    assert server.client.get("/api/v1/reports/assessment", params=NOV).status_code == 401
    bad = {"Authorization": "Bearer nope"}
    assert (
        server.client.get("/api/v1/reports/assessment", params=NOV, headers=bad).status_code == 401
    )


def test_csv_has_bom_header_and_unit_columns(server: Server) -> None:
    r = server.client.get(
        "/api/v1/reports/assessment", params={**NOV, "format": "csv"}, headers=server.login("sup")
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert table[0][:4] == ["单位代码", "单位名称", "接收工单", "按时签收"]
    assert "满意率(%)" in table[0]
    assert [row[0] for row in table[1:]] == ["U001", "U002", "U003", ""]
    assert table[1][1] == "启东市汇龙镇人民政府" and table[-1][1] == "合计"
    header = table[0]
    assert table[1][header.index("响应率(%)")] == "50.0"
    assert table[3][header.index("响应率(%)")] == ""  # U003: nothing received


def test_xlsx(server: Server) -> None:
    from openpyxl import load_workbook

    r = server.client.get(
        "/api/v1/reports/assessment",
        params={**NOV, "format": "xlsx", "unit": "U001"},
        headers=server.login("sup"),
    )
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet["A1"].value == "单位代码" and sheet["A2"].value == "U001"
    assert sheet["C2"].value == 2


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"start": "2026-12-01", "end": "2026-11-01"}, 422),
        ({"start": "2026-11-01", "end": "2026-11-01"}, 422),
        ({"start": "2020-01-01", "end": "2026-01-01"}, 422),
        ({"start": "2026-13-01", "end": "2026-12-01"}, 422),
        ({"start": "yesterday", "end": "2026-12-01"}, 422),
        ({"end": "2026-12-01"}, 422),
        ({**NOV, "format": "pdf"}, 422),
        ({**NOV, "unit": "U999"}, 404),
        ({**NOV, "unit": "x" * 40}, 422),
        ({**NOV, "unit": "U0\x0001"}, 422),
    ],
)
def test_bad_input_is_a_4xx_with_a_reason(server: Server, params: dict, status: int) -> None:
    r = server.client.get("/api/v1/reports/assessment", params=params, headers=server.login("sup"))
    assert r.status_code == status, r.text
    assert r.json()["en"]


def test_cli_report(
    server: Server,
    tmp_path: Path,
    capsysbinary: pytest.CaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hotline.cli import main

    monkeypatch.setenv("WORKSTATION_FAKE_NOW", "2026-12-01T10:00:00+08:00")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(tmp_path / "data"))
    url = str(server.store.db.engine.url)
    if not url.startswith("sqlite"):
        pytest.skip("the CLI test uses the SQLite file")
    assert (
        main(["admin", "report", "--db", url, "--start", "2026-11-01", "--end", "2026-12-01"]) == 0
    )
    out = capsysbinary.readouterr().out
    assert out.startswith(b"\xef\xbb\xbf") and "合计".encode() in out
    target = tmp_path / "u1.json"
    argv = ["admin", "report", "--db", url, "--start", "2026-11-01", "--end", "2026-12-01"]
    assert main([*argv, "--unit", "U001", "--format", "json", "-o", str(target)]) == 0
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert [r["unit"] for r in doc["rows"]] == ["U001"]
    assert main([*argv[:4], "--start", "2026-11-31", "--end", "2026-12-01"]) == 1
