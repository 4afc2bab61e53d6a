"""The training job: thresholds, interval, lease, masking, the change and the download."""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

from central.assist_training import (
    LEASE,
    TrainingPolicy,
    decide,
    model_bytes,
    run_training,
    training_round,
)
from central.job_lease import JobLease
from tests.central_assist.conftest import Clock, training_rows
from tests.central_assist.helpers import insert_closed

POLICY = TrainingPolicy(min_new=50, interval_s=86_400)


def assist_changes(store: Any) -> list[dict[str, Any]]:
    from central.changes import pull

    changes, _, _ = pull(store.db, 0, 1000, "U001")  # a unit user sees it too
    return [c for c in changes if c["entity"] == "assist_model"]


def test_policy_from_settings() -> None:
    from workstation.config import load_settings

    env = {
        "WORKSTATION_ASSIST_TRAINING": "off",
        "WORKSTATION_ASSIST_MIN_NEW_ORDERS": "200",
        "WORKSTATION_ASSIST_TRAIN_INTERVAL": "3600",
    }
    policy = TrainingPolicy.from_settings(load_settings(env=env))
    assert policy == TrainingPolicy(False, 200, 3600.0)
    assert TrainingPolicy.from_settings(load_settings(env={})) == TrainingPolicy(True, 50, 86_400.0)


def test_trains_only_with_enough_new_closed_orders_and_not_too_often(
    store: Any, clock: Clock
) -> None:
    assert run_training(store, POLICY).status == "skipped"  # nothing closed yet
    rows = training_rows(40)  # 80 orders
    insert_closed(store, rows[:49], clock.now)
    insert_closed(store, rows[:30], clock.now, start=500, state="recalled")  # never counted
    insert_closed(store, rows[:30], clock.now, start=600, state="signed")
    skipped = run_training(store, POLICY)
    assert skipped.status == "skipped" and "49 new" in skipped.reason
    insert_closed(store, rows[49:50], clock.now, start=49)
    first = run_training(store, POLICY)
    assert first.status == "trained" and first.version == 1 and first.orders == 50
    assert first.metrics["unit_orders"] == 50 and first.metrics["closed_through"]

    insert_closed(store, rows[50:], clock.now.replace(hour=2), start=50)  # 30 more, 1 h later
    clock.advance(hours=2)
    assert "younger" in (decide(store, TrainingPolicy(min_new=10), clock.now) or "")
    clock.advance(days=1)
    assert "30 new" in (run_training(store, POLICY).reason)  # interval passed, too few new
    second = run_training(store, TrainingPolicy(min_new=30))
    assert second.status == "trained" and second.version == 2 and second.orders == 80

    clock.advance(days=2)
    assert run_training(store, POLICY).reason.startswith("0 new")
    forced = run_training(store, POLICY, force=True)  # the administrator's --force
    assert forced.status == "trained" and forced.version == 3

    announced = assist_changes(store)
    assert [c["data"]["version"] for c in announced] == [1, 2, 3]
    with store.db.read() as conn:
        data, sha = model_bytes(conn, 3)  # type: ignore[misc]
    assert announced[-1]["data"] == {
        "version": 3,
        "url": "/api/v1/assist/model/3",
        "sha256": hashlib.sha256(data).hexdigest(),
        "orders": 80,
        "size": len(data),
    }
    assert sha == announced[-1]["data"]["sha256"]


def test_one_trainer_at_a_time(store: Any, clock: Clock) -> None:
    insert_closed(store, training_rows(30), clock.now)
    assert JobLease(store.db, LEASE, 600, holder="another-process").acquire()
    busy = run_training(store, POLICY, force=True)
    assert busy.status == "busy" and not assist_changes(store)


def test_stored_texts_of_past_orders_are_masked(store: Any, clock: Clock, tmp_path: Any) -> None:
    from assist.model import Model

    rows = training_rows(30)
    rows[-1] = ("我叫张三，电话13912346025，身份证320681198001011234，小区路灯坏了", "U002", "help")
    insert_closed(store, rows, clock.now, caller_name="张三")
    result = run_training(store, POLICY, force=True)
    assert result.status == "trained"
    with store.db.read() as conn:
        data, _ = model_bytes(conn, 1)  # type: ignore[misc]
    path = tmp_path / "m.npz"
    path.write_bytes(data)
    model = Model.load(path)
    stored = json.dumps(model.exemplars, ensure_ascii=False)
    assert "13912346025" not in stored and "6025" not in stored
    assert "1234" not in stored and "320681" not in stored and "张三" not in stored
    assert any("张*" in text for _, _, text in model.exemplars)


def test_download_route(store: Any, clock: Clock) -> None:
    from fastapi.testclient import TestClient

    from central.app import create_app
    from central.testing import USERS

    insert_closed(store, training_rows(30), clock.now)
    run_training(store, POLICY, force=True)
    with TestClient(create_app(store, run_jobs=False)) as client:
        assert client.get("/api/v1/assist/model/1").status_code == 401
        password = {u.name: u.password for u in USERS}["unit2"]
        token = client.post(
            "/api/v1/auth/login",
            headers={"X-Seat-Token": _seat_token(store)},
            json={"user": "unit2", "password": password},
        ).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        got = client.get("/api/v1/assist/model/1", headers=auth)
        assert got.status_code == 200
        assert got.headers["content-type"] == "application/octet-stream"
        sha = hashlib.sha256(got.content).hexdigest()
        assert got.headers["etag"] == f'"{sha}"'
        import numpy as np

        np.load(io.BytesIO(got.content), allow_pickle=False)  # a plain .npz
        again = client.get("/api/v1/assist/model/1", headers={**auth, "If-None-Match": f'"{sha}"'})
        assert again.status_code == 304
        missing = client.get("/api/v1/assist/model/2", headers=auth)
        assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def _seat_token(store: Any) -> str:
    """A fresh seat (the seeded tokens are not kept in the store)."""
    from central.accounts import enroll_seat

    with store.transaction() as tx:
        return enroll_seat(tx, "S09", "QD-S09")


async def test_job_round_trains_in_a_subprocess(store: Any, clock: Clock, monkeypatch: Any) -> None:
    import asyncio

    from central import assist_training

    monkeypatch.setenv("WORKSTATION_ASSIST_MIN_NEW_ORDERS", "20")  # the training subprocess
    assist = store.settings.assist.model_copy(update={"min_new_orders": 20})
    store.settings = store.settings.model_copy(update={"assist": assist})  # this process
    insert_closed(store, training_rows(5), clock.now)  # 10: not due
    assert await training_round(store) is False
    insert_closed(store, training_rows(10), clock.now, start=10)  # 30 in all
    assert await training_round(store) is True
    assert await training_round(store) is False  # one at a time in this process
    await asyncio.wait_for(asyncio.gather(*assist_training.trainer.tasks), 90)
    assert [c["data"]["orders"] for c in assist_changes(store)] == [30]
