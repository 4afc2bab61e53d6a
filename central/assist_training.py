"""Retraining the intake assist from the city's closed orders (历史工单), on a schedule.

A model is trained only when enough orders have closed since the last one (default 50)
and the last one is old enough (default a day), so seats download a new file rarely. The
work runs out of the server's event loop: the periodic job loop starts
``python -m central.assist_training`` as a subprocess (training is CPU-bound Python that
would hold the GIL and slow requests), and the ``assist_training`` lease
(``central.job_lease``) keeps a second
server process or an administrator's ``workstation admin train-assist`` from training at
the same time. The model bytes go to ``assist_models``; an ``assist_model`` change tells
every seat to fetch them from ``GET /api/v1/assist/model/{version}``.

Settings: ``[assist]`` in workstation.toml (``training = false`` turns the scheduled job
off, ``min_new_orders`` 50, ``train_interval`` 86400 seconds between models), or
``WORKSTATION_ASSIST_TRAINING`` / ``_MIN_NEW_ORDERS`` / ``_TRAIN_INTERVAL``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from central import schema
from central.job_lease import JobLease
from central.job_process import JobProcess
from central.store import Store

log = logging.getLogger(__name__)

LEASE = "assist_training"
LEASE_TTL_S = 30 * 60.0  # longer than any training run (100,000 orders: about a minute)
DEFAULT_MIN_NEW = 50
DEFAULT_INTERVAL_S = 86_400.0
MODEL_URL = "/api/v1/assist/model/{version}"


@dataclass(frozen=True)
class TrainingPolicy:
    """When a new model is worth training (and shipping to every seat)."""

    enabled: bool = True
    min_new: int = DEFAULT_MIN_NEW
    interval_s: float = DEFAULT_INTERVAL_S

    @classmethod
    def from_settings(cls, settings: Any) -> TrainingPolicy:
        """The ``[assist]`` settings (workstation.config.AssistSettings)."""
        assist = settings.assist
        return cls(assist.training, assist.min_new_orders, assist.train_interval)


@dataclass
class TrainingResult:
    """What one run did: ``trained`` with the new version, or why it was skipped."""

    status: str  # "trained" | "skipped" | "busy"
    reason: str = ""
    version: int | None = None
    orders: int = 0
    sha256: str = ""
    size: int = 0
    metrics: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        if self.status != "trained":
            return f"{self.status}: {self.reason}"
        secs = self.metrics.get("train_seconds", "?")
        return (
            f"trained model v{self.version} on {self.orders} closed orders in {secs} s "
            f"({self.size / 1e6:.1f} MB, sha256 {self.sha256[:12]}…)"
        )


# -- reads ----------------------------------------------------------------------------


def latest_model(conn: Connection) -> dict[str, Any] | None:
    """The newest model's row without its bytes (None before the first one)."""
    m = schema.assist_models
    row = conn.execute(
        select(m.c.version, m.c.created_at, m.c.orders, m.c.sha256, m.c.metrics)
        .order_by(m.c.version.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return {**row._asdict(), "metrics": json.loads(row.metrics or "{}")}


def model_bytes(conn: Connection, version: int) -> tuple[bytes, str] | None:
    m = schema.assist_models
    row = conn.execute(select(m.c.bytes, m.c.sha256).where(m.c.version == version)).first()
    return None if row is None else (bytes(row.bytes), str(row.sha256))


def _watermark(model: dict[str, Any] | None) -> datetime | None:
    raw = (model or {}).get("metrics", {}).get("closed_through")
    return datetime.fromisoformat(raw) if raw else None


def closed_count(conn: Connection, after: datetime | None = None) -> int:
    """Closed orders (closed after ``after``); a recalled order is never ``closed``."""
    o = schema.orders
    where = [o.c.state == "closed"]
    if after is not None:
        where.append(o.c.closed_at > after)
    return int(conn.execute(select(func.count()).select_from(o).where(*where)).scalar_one())


def decide(store: Store, policy: TrainingPolicy, now: datetime, force: bool = False) -> str | None:
    """None when a model should be trained now, else why not (a cheap check: two queries)."""
    with store.db.read() as conn:
        model = latest_model(conn)
        new = closed_count(conn, _watermark(model))
    if force:
        return None  # an administrator's run: thresholds do not apply
    if model is not None and now - model["created_at"] < timedelta(seconds=policy.interval_s):
        return f"last model v{model['version']} is younger than {policy.interval_s:.0f} s"
    if new < policy.min_new:
        return f"{new} new closed orders (< {policy.min_new})"
    return None


def collect_orders(conn: Connection) -> tuple[list[Any], datetime | None]:
    """Closed orders as training rows: content, final handling unit, type; and the last
    closing time seen (the watermark the next run counts new orders from).

    The caller's name is starred in the text before training (the model keeps a few
    texts per unit, and the model file travels to every seat).
    """
    from assist.model import TrainingOrder
    from workstation.masking import mask_name
    from workstation.models import OrderType

    o = schema.orders
    rows = conn.execute(
        select(o.c.order_id, o.c.type, o.c.unit, o.c.closed_at, o.c.snapshot)
        .where(o.c.state == "closed")
        .order_by(o.c.closed_at, o.c.order_id)
    )
    orders: list[Any] = []
    through: datetime | None = None
    for order_id, order_type, unit, closed_at, snap in rows:
        data = json.loads(snap)
        text = str(data.get("content") or "")
        name = str(data.get("caller_name") or "").strip()
        if len(name) >= 2 and name in text:
            text = text.replace(name, mask_name(name))
        try:
            parsed: OrderType | None = OrderType(order_type)
        except ValueError:
            parsed = None
        orders.append(TrainingOrder(text=text, type=parsed, unit=unit or None, id=order_id))
        if closed_at is not None and (through is None or closed_at > through):
            through = closed_at
    return orders, through


def _units(conn: Connection) -> list[Any] | None:
    from workstation.models import Unit

    rows = conn.execute(select(schema.units.c.data)).scalars()
    units = [Unit.from_dict(json.loads(r)) for r in rows]
    return units or None


# -- training -------------------------------------------------------------------------


def train_bytes(orders: list[Any], units: list[Any] | None) -> tuple[bytes, dict[str, Any]]:
    """Train and serialise (the ``.npz`` format of ``assist.model``)."""
    import tempfile
    import time

    from assist.model import train

    started = time.perf_counter()
    model = train(orders, units)
    with tempfile.TemporaryDirectory(prefix="assist-") as tmp:
        data = model.save(Path(tmp) / "model.npz").read_bytes()
    metrics = dict(model.info)
    metrics["total_seconds"] = round(time.perf_counter() - started, 2)
    return data, metrics


def store_model(
    store: Store, data: bytes, orders: int, metrics: dict[str, Any], now: datetime
) -> tuple[int, str]:
    """Insert the model and emit its ``assist_model`` change (every seat sees it)."""
    from central.changes import Change, dumps

    sha = hashlib.sha256(data).hexdigest()
    m = schema.assist_models
    with store.transaction(now) as tx:
        top = tx.conn.execute(select(func.max(m.c.version))).scalar_one()
        version = int(top or 0) + 1
        tx.conn.execute(
            m.insert().values(
                version=version,
                created_at=now,
                orders=orders,
                bytes=data,
                sha256=sha,
                metrics=dumps(metrics),
            )
        )
        change = {
            "version": version,
            "url": MODEL_URL.format(version=version),
            "sha256": sha,
            "orders": orders,
            "size": len(data),
        }
        tx.emit(Change("assist_model", str(version), change, everyone=True))
    return version, sha


def run_training(
    store: Store,
    policy: TrainingPolicy | None = None,
    now: datetime | None = None,
    force: bool = False,
) -> TrainingResult:
    """Train and publish a model if one is due (``force``: whenever there is news)."""
    policy = policy or TrainingPolicy.from_settings(store.settings)
    now = now or store.now()
    with JobLease(store.db, LEASE, LEASE_TTL_S).held() as ours:
        if not ours:
            return TrainingResult("busy", "another process is training")
        why = decide(store, policy, now, force)
        if why is not None:
            return TrainingResult("skipped", why)
        with store.db.read() as conn:
            orders, through = collect_orders(conn)
            units = _units(conn)
        if not orders:
            return TrainingResult("skipped", "no closed orders")
        data, metrics = train_bytes(orders, units)
        metrics["closed_through"] = through.isoformat() if through else None
        metrics["size"] = len(data)
        version, sha = store_model(store, data, len(orders), metrics, now)
        return TrainingResult("trained", "", version, len(orders), sha, len(data), metrics)


# -- the periodic job -----------------------------------------------------------------

trainer = JobProcess("central.assist_training", "assist training", log)


async def training_round(store: Store) -> bool:
    """Called by the job loop: start a training subprocess when one is due; never waits.

    Returns True when one was started. The subprocess re-checks everything under the
    lease, so two server processes that both start one train once.
    """
    policy = TrainingPolicy.from_settings(store.settings)
    if not policy.enabled or trainer.running():
        return False
    why = await asyncio.to_thread(decide, store, policy, store.now())
    if why is not None:
        return False
    trainer.start(store.db.url)
    return True


def main() -> int:
    """``python -m central.assist_training [--force]``: what the job loop runs."""
    store = Store.open()
    try:
        store.db.migrate()
        result = run_training(store, force="--force" in sys.argv[1:])
    finally:
        store.db.dispose()
    print(result.line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
