"""``workstation demo``: a central server, a seat and demo data, then the app logged in.

First run (into ``<user data dir>/demo`` unless ``--data-dir``): create the central SQLite
database, load the 74-unit routing directory, add one demo user per role, enrol seat S01,
import the demo knowledge base, start ``workstation serve`` on a free localhost port, and
create orders in several states through the real sync path (dispatched, signed, overdue,
replied/callback pending, closed), and citizen requests submitted on the web page in every
state the citizen sees (``hotline.demo_citizen``). Later runs reuse the directory and only
start the server. The citizen pages' address (``/citizen/``) and a follow link per demo
request are printed at start. The server subprocess stops when the app exits.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

from central.jobs import run_jobs
from central.store import Store
from central.testing import SeedUser, ServerStartError, running_server, seed
from hotline.demo_citizen import print_receipts, seed_citizen_requests
from offline_cache.services import SeatServices
from workstation.errors import UserFacingError

SEAT = "S01"
PASSWORD = "demo1234"
DEMO_UNIT = "U001"
USERS = {  # role -> (user, display name)
    "agent": ("demo-agent", "演示坐席"),
    "unit": ("demo-unit", "演示承办员"),
    "supervisor": ("demo-super", "演示督查员"),
    "callback": ("demo-callback", "演示回访员"),
}
READY = ".demo-ready"
DEMO_ORDERS = [  # (type, content, caller phone, caller name)
    (
        "complaint",
        "锦绣花园小区东门外夜间施工噪音很大，晚上十一点以后还在施工，影响休息。",
        "13800138001",
        "陈女士",
    ),
    (
        "help",
        "人民路与和平路交叉口的路灯坏了三天，晚上很黑，老人过马路不安全。",
        "13800138002",
        "刘先生",
    ),
    ("suggestion", "建议在市民广场增加一些座椅和遮阳棚，方便老年人休息。", "13800138003", "周先生"),
    (
        "complaint",
        "小区楼下餐馆油烟直排，窗户都不敢开，希望有关部门处理。",
        "13800138004",
        "吴女士",
    ),
    ("consultation", "想了解一下老旧小区加装电梯的补贴政策和申请流程。", "13800138005", "郑先生"),
    ("help", "我家门口的下水道井盖破损，已经有人踩空差点摔倒。", "13800138001", "陈女士"),
]


class DemoError(UserFacingError):
    code = "demo"


def demo_dir(data_dir: Path | None) -> Path:
    if data_dir is not None:
        return data_dir
    from workstation.config import default_data_dir

    return default_data_dir() / "demo"


def _packaged(name: str) -> Path:
    return Path(str(files("workstation") / "data" / name))


def prepare_central(root: Path) -> tuple[str, str]:
    """Create the central database with units, demo users, the seat and the demo KB;
    returns (db url, token).

    The KB goes into the central server, as an editor's import would: the server's embed
    job makes the articles' vectors, and the seat pulls both with its first sync.
    """
    db_url = f"sqlite:///{root / 'central.db'}"
    token_file = root / "seat-token.txt"
    if token_file.exists():
        return db_url, token_file.read_text().strip()
    store = Store.open(db_url)
    units = _packaged("units.jsonl").read_text(encoding="utf-8").splitlines()
    seeded = seed(
        store,
        seats=(SEAT,),
        users=[
            SeedUser(user, PASSWORD, role, DEMO_UNIT if role == "unit" else None, display)
            for role, (user, display) in USERS.items()
        ],
        units=[json.loads(line) for line in units if line.strip()],
        cheap_hashes=False,
    )
    _import_kb(store)
    store.db.dispose()
    token = seeded.seat_tokens[SEAT]
    token_file.write_text(token)
    token_file.chmod(0o600)
    return db_url, token


def _import_kb(store: Store) -> None:
    from central.kb import put_article

    lines = _packaged("demo_kb.jsonl").read_text("utf-8").splitlines()
    with store.transaction() as tx:
        for line in lines:
            if line.strip():
                put_article(tx, json.loads(line), "admin")


SEED_CLOCK = "seed-clock.txt"


@contextmanager
def demo_server(root: Path, db_url: str, port: int) -> Iterator[str]:
    """``workstation serve`` in a subprocess; yields its base URL; stops it afterwards."""
    try:
        with running_server(
            db_url,
            root,
            port=port,
            clock_file=root / SEED_CLOCK,  # absent: the real time
            log_path=root / "server.log",
            env={"WORKSTATION_API_DOCS": "true"},  # the demo shows /docs and /redoc
        ) as server:
            yield server.base_url
    except ServerStartError as exc:
        raise DemoError(
            "演示服务器启动失败（见 server.log）", "the demo server failed (see server.log)"
        ) from exc


def _sync(services: Any) -> None:
    asyncio.run(services.sync_once())


def _login(services: Any, role: str) -> None:
    services.login(USERS[role][0], PASSWORD)
    _sync(services)


def seed_orders(services: Any, db_url: str, root: Path, log: Any = print) -> None:
    """Orders in several states, each step through the seat's outbox and the real sync."""
    from workstation.intake_form import IntakeForm

    store = Store.open(db_url)
    _login(services, "agent")

    def dispatch(kind: str, content: str, phone: str, name: str) -> str:
        return services.dispatch(IntakeForm.parse({
            "type": kind, "channel": "phone", "content": content, "caller_phone": phone,
            "caller_name": name, "unit": DEMO_UNIT, "confidential": False,
        }))  # fmt: skip

    # the overdue one was taken a fortnight ago: the server dispatches it on a past clock,
    # then the jobs, on the real clock, find it overdue and urge the unit
    clock = root / SEED_CLOCK
    clock.write_text((services.now() - timedelta(days=14)).isoformat(), encoding="utf-8")
    try:
        overdue = dispatch(*DEMO_ORDERS[0])
        _sync(services)
    finally:
        clock.unlink(missing_ok=True)
    run_jobs(store)
    ids = [dispatch(*spec) for spec in DEMO_ORDERS[1:]]
    _sync(services)
    _login(services, "unit")
    for order_id in ids[:4]:
        services.order_command(order_id, "sign", {})
    for order_id in ids[2:4]:
        services.order_command(
            order_id, "reply", {"result": "已现场核实并处理完毕，已与来电人沟通。"}
        )
    _sync(services)
    run_jobs(store)  # replied orders get their callback task
    _login(services, "callback")
    services.order_command(
        ids[3], "record_callback",
        {"reached": True, "resolved": True, "satisfaction": "satisfied", "comment": "满意"},
    )  # fmt: skip
    _sync(services)
    services.logout()
    store.db.dispose()
    log(f"demo orders: overdue {overdue}; dispatched {ids[4]}; signed {ids[0]}, {ids[1]}; "
        f"callback pending {ids[2]}; closed {ids[3]}")  # fmt: skip


def prepare_seat(root: Path, url: str, token: str) -> Any:
    services = SeatServices.open(root / "seat")
    services.enroll(url, SEAT, token)  # again on every run: the port may have changed
    return services  # the KB comes with the first sync (``prepare_central``)


def run_demo(
    data_dir: Path | None, role: str = "agent", port: int = 0, open_app: bool = True
) -> int:
    root = demo_dir(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    first_run = not (root / READY).exists()
    print(f"demo data: {root}" + (" (first run: preparing)" if first_run else ""))
    db_url, token = prepare_central(root)
    with demo_server(root, db_url, port) as url:
        print(f"central server: {url}")
        print(f"citizen pages: {url}/citizen/")
        services = prepare_seat(root, url, token)
        try:
            if first_run:
                try:
                    seed_orders(services, db_url, root)
                except UserFacingError as exc:
                    print(f"warning: demo orders incomplete: {exc}", file=sys.stderr)
                try:
                    seed_citizen_requests(url, db_url, root)
                except (UserFacingError, RuntimeError, OSError) as exc:
                    print(f"warning: citizen demo requests incomplete: {exc}", file=sys.stderr)
                (root / READY).write_text("ok")
            print_receipts(url, root)
            if not open_app:
                return 0
            from screens.app import HotlineApp

            HotlineApp(services, login_as=(USERS[role][0], PASSWORD)).run()
        finally:
            services.close()
    return 0
