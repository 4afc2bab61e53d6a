from __future__ import annotations

from pathlib import Path

import pytest

from workstation.models import Unit

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def _unit(code: str, name: str, duties: str, keywords: str, kind: str = "department") -> Unit:
    return Unit(
        code=code,
        name=name,
        short=name[:4],
        kind=kind,
        duties=duties,
        keywords=tuple(keywords.split()),
    )


@pytest.fixture(scope="session")
def small_units() -> list[Unit]:
    """A six-unit directory: enough to check ranking without the shared data."""
    return [
        _unit(
            "W01",
            "启东市水务集团",
            "负责城区自来水供水、停水抢修、水费收缴和水质保障。",
            "停水 水费 水压低 水质浑浊 自来水 水表",
        ),
        _unit(
            "E01",
            "启东市供电公司",
            "负责供电抢修、电费、用电报装和电表更换。",
            "停电 电费 电表 用电报装 供电抢修",
        ),
        _unit(
            "P01",
            "启东市公安局",
            "负责户籍、身份证、居住证、治安管理和出入境业务。",
            "户口 身份证 居住证 落户 护照",
        ),
        _unit(
            "C01",
            "启东市城市管理局",
            "负责市容秩序、占道经营、餐饮油烟和路灯绿化管理。",
            "城管 占道经营 油烟 路灯 绿化 流动摊贩",
        ),
        _unit(
            "S01",
            "启东市人力资源和社会保障局",
            "负责社保、就业、欠薪、劳动合同和工伤认定。",
            "社保 养老保险 欠薪 工伤 劳动合同 社保卡",
        ),
        _unit(
            "T01",
            "启东市汇龙镇人民政府",
            "负责汇龙镇辖区内社区民生诉求属地处置和邻里纠纷调解。",
            "汇龙镇 邻里纠纷 居委会 小区环境",
            kind="town",
        ),
    ]


@pytest.fixture(scope="session")
def assistant(small_units):
    from assist import Assistant

    return Assistant.from_directory(small_units)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED / "units.jsonl").exists():
        pytest.skip("../shared/data not present")
    return SHARED
