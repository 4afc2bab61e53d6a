"""Training, the safe file round trip, and the command line."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from workstation.models import OrderType

REPO = Path(__file__).resolve().parents[2]


def _orders() -> list[dict]:
    rows = []
    samples = {
        ("W01", "complaint"): ["小区停水好几天了没人管", "自来水发黄有沉淀", "水压太低楼上没水"],
        ("E01", "help"): ["家里停电了请派人来修", "电表坏了帮忙看看", "村里停电一整天了"],
        ("P01", "consultation"): ["请问身份证怎么补办", "孩子落户要什么材料", "请问居住证在哪里办"],
        ("C01", "suggestion"): ["建议路口增设路灯", "建议规范流动摊贩", "建议绿化带多种树"],
    }
    for (unit, kind), texts in samples.items():
        for i, text in enumerate(texts * 3):
            rows.append({"id": f"{unit}-{i}", "text": f"{text}{i}", "type": kind, "unit": unit})
    rows.append({"text": "只有类型没有单位的工单", "type": "咨询"})  # Chinese type name
    rows.append({"text": "只有单位没有类型的工单 停水", "unit": "W01"})
    return rows


def test_train_save_load_round_trip(tmp_path, small_units):
    from assist import Assistant, Model, train

    model = train(_orders(), small_units)
    assert model.info["type_orders"] == 37 and model.info["unit_orders"] == 37
    path = model.save(tmp_path / "assist-model.npz")
    with zipfile.ZipFile(path) as archive:  # arrays only: nothing to unpickle
        assert all(name.endswith(".npy") for name in archive.namelist())
    loaded = Model.load(path)
    text = "我们小区又停水了"
    row_a, row_b = model.transform(text), loaded.transform(text)
    assert model.unit_scores(row_a) == pytest.approx(loaded.unit_scores(row_b), abs=1e-5)
    assert model.type_scores(row_a) == pytest.approx(loaded.type_scores(row_b), abs=1e-5)
    suggestion = Assistant.from_directory(small_units, model=loaded).suggest("请问身份证怎么补办")
    assert suggestion.type is OrderType.CONSULTATION
    assert suggestion.units[0].code == "P01"


def test_orders_for_unknown_units_are_left_out(small_units):
    from assist import train

    rows = _orders() + [{"text": "已撤销单位的工单", "type": "complaint", "unit": "GONE"}]
    model = train(rows, small_units)
    assert model.unit_head is not None and "GONE" not in model.unit_head.classes


def test_a_damaged_model_file_is_a_user_facing_error(tmp_path):
    from assist import Model
    from workstation.errors import UserFacingError

    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(UserFacingError):
        Model.load(bad)


def _units_file(tmp_path: Path, units) -> Path:
    path = tmp_path / "units.jsonl"
    path.write_text("\n".join(json.dumps(u.to_dict(), ensure_ascii=False) for u in units), "utf-8")
    return path


def test_cli_batch_json_in_process(tmp_path, small_units, capsys):
    from hotline.cli import main

    batch = tmp_path / "batch.jsonl"
    batch.write_text(
        json.dumps({"text": "小区停水两天了"}, ensure_ascii=False)
        + "\n"
        + json.dumps({"text": "快来人！楼下着火了"}, ensure_ascii=False)
        + "\n",
        "utf-8",
    )
    code = main(
        [
            "assist",
            "--batch",
            str(batch),
            "--json",
            "--units",
            str(_units_file(tmp_path, small_units)),
        ]
    )
    assert code == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(lines) == 2
    assert set(lines[0]) == {
        "type",
        "type_confidence",
        "units",
        "reject_reason",
        "transfer_to",
        "ms",
    }
    assert lines[0]["units"][0] == "W01" and lines[0]["reject_reason"] is None
    assert lines[1]["reject_reason"] == "emergency" and lines[1]["transfer_to"] == "119"
    assert lines[0]["type"] in {t.value for t in OrderType}


def test_cli_train_then_batch_with_model_subprocess(tmp_path, small_units):
    units = _units_file(tmp_path, small_units)
    orders = tmp_path / "orders.jsonl"
    orders.write_text("\n".join(json.dumps(o, ensure_ascii=False) for o in _orders()), "utf-8")
    model = tmp_path / "model.npz"
    run = [sys.executable, "-m", "hotline.cli", "assist"]
    done = subprocess.run(
        [*run, "train", "--orders", str(orders), "--out", str(model), "--units", str(units)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert model.exists()
    batch = tmp_path / "batch.jsonl"
    batch.write_text(json.dumps({"text": "请问身份证怎么补办"}, ensure_ascii=False) + "\n", "utf-8")
    done = subprocess.run(
        [*run, "--batch", str(batch), "--json", "--model", str(model), "--units", str(units)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    line = json.loads(done.stdout)
    assert line["units"][0] == "P01" and line["type"] == "consultation"


def test_cli_without_units_or_batch_explains(tmp_path, monkeypatch, capsys):
    from assist import cli as assist_cli
    from hotline.cli import main

    monkeypatch.setattr(assist_cli, "SHIPPED_UNITS", tmp_path / "missing.jsonl")
    batch = tmp_path / "b.jsonl"
    batch.write_text('{"text": "x"}\n', "utf-8")
    assert main(["assist", "--batch", str(batch), "--json"]) == 1
    assert "--units" in capsys.readouterr().err


def test_headless_imports_no_textual_nor_sklearn():
    code = (
        "import sys, assist, assist.cli, assist.lexicon;"
        "from assist.lexicon import detect_emergency; detect_emergency('着火了');"
        "bad = [m for m in ('textual', 'sklearn', 'httpx', 'sqlite3') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
