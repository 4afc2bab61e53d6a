"""Settings from TOML and WORKSTATION_ variables; bad values name the key."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, time
from pathlib import Path

import pytest

from workstation.config import Settings, load_settings
from workstation.errors import ConfigError
from workstation.models import DeadlineRules


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults(tmp_path: Path) -> None:
    s = load_settings(env={"WORKSTATION_DATA_DIR": str(tmp_path)})
    assert s.city == "启东市"
    assert s.timezone == "Asia/Shanghai"
    assert s.language == "zh"
    assert s.server_url == "http://127.0.0.1:8712"
    assert s.data_dir == tmp_path
    assert s.database_url == f"sqlite:///{tmp_path / 'central.db'}"
    assert s.overrides_path == tmp_path / "calendar_overrides.json"
    assert s.rules == DeadlineRules()
    assert s.deadline_end == time(23, 59, 59)
    assert not tmp_path.joinpath("central.db").exists()  # nothing created


def test_default_data_dir_is_platformdirs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import platformdirs

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    s = load_settings(env={})
    assert s.data_dir == Path(platformdirs.user_data_dir("hotline-workstation", appauthor=False))


def test_deadline_settings_mirror_the_dataclass() -> None:
    names = {f.name for f in dataclasses.fields(DeadlineRules)}
    assert set(Settings().model_dump()["deadlines"]) == names


def test_toml_then_env(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / "ws.toml",
        """
city = "海门区"
language = "en"
server_url = "https://hotline.example.gov.cn/"
deadline_end = "17:30:00"
[deadlines]
consultation = 4
complaint = 6
[notices]
urging_prefix = "督办"
""",
    )
    env = {
        "WORKSTATION_DEADLINES__COMPLAINT": "8",
        "WORKSTATION_TIMEZONE": "Asia/Urumqi",
        "WORKSTATION_DATA_DIR": str(tmp_path / "d"),
        "WORKSTATION_DB_URL": "postgresql+psycopg://u@db/hotline",
        "WORKSTATION_CALENDAR_OVERRIDES": str(tmp_path / "cal.json"),
        "WORKSTATION_SERVER_URL": "",  # empty = unset
        "WORKSTATION_TEST_PG_URL": "postgresql://ignored",  # not a setting: ignored
    }
    s = load_settings(cfg, env=env)
    assert s.city == "海门区" and s.language == "en"
    assert s.server_url == "https://hotline.example.gov.cn"
    assert s.deadline_end == time(17, 30)
    assert s.rules.consultation == 4
    assert s.rules.complaint == 8  # env beats file
    assert s.rules.help == 7  # default kept
    assert s.timezone == "Asia/Urumqi"
    assert s.database_url == "postgresql+psycopg://u@db/hotline"
    assert s.overrides_path == tmp_path / "cal.json"
    assert s.notices.number("urging", 2026, 7) == "督办〔2026〕0007号"
    assert s.notices.number("criticism", 2026, 12) == "通报〔2026〕0012号"


def test_lang_alias(tmp_path: Path) -> None:
    assert load_settings(env={"WORKSTATION_LANG": "en"}).language == "en"


def test_server_sections_from_toml_and_the_flat_environment_names(tmp_path: Path) -> None:
    defaults = load_settings(env={})
    assert defaults.jobs.interval == 60.0
    assert (defaults.assist.training, defaults.assist.min_new_orders) == (True, 50)
    assert defaults.assist.train_interval == 86_400.0
    assert (defaults.open311.rate_per_minute, defaults.open311.api_keys) == (20, ())
    cfg = write(
        tmp_path / "ws.toml",
        """
[jobs]
interval = 0
[assist]
training = false
[open311]
api_keys = ["k1", "k2"]
""",
    )
    s = load_settings(cfg, env={"WORKSTATION_ASSIST_MIN_NEW_ORDERS": "200"})
    assert s.jobs.interval == 0 and s.assist.training is False
    assert s.assist.min_new_orders == 200 and s.open311.api_keys == ("k1", "k2")
    flat = load_settings(
        env={
            "WORKSTATION_JOBS_INTERVAL": "5",
            "WORKSTATION_ASSIST_TRAINING": "off",
            "WORKSTATION_ASSIST_TRAIN_INTERVAL": "3600",
            "WORKSTATION_OPEN311_API_KEYS": "key-one, key-two",
            "WORKSTATION_OPEN311__RATE_PER_MINUTE": "2",
        }
    )
    assert flat.jobs.interval == 5.0 and flat.assist.training is False
    assert flat.assist.train_interval == 3600.0
    assert flat.open311.api_keys == ("key-one", "key-two")
    assert flat.open311.rate_per_minute == 2


def test_config_file_search(tmp_path: Path) -> None:
    via_env = write(tmp_path / "a.toml", 'city = "甲"\n')
    assert load_settings(env={"WORKSTATION_CONFIG": str(via_env)}).city == "甲"
    explicit = write(tmp_path / "b.toml", 'city = "丙"\n')
    assert load_settings(explicit, env={"WORKSTATION_CONFIG": str(via_env)}).city == "丙"


def test_user_config_dir_file_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    user_dir = tmp_path / "xdg" / "hotline-workstation"
    user_dir.mkdir(parents=True)
    write(user_dir / "workstation.toml", 'city = "乙"\n')
    assert load_settings(env={}).city == "乙"


@pytest.mark.parametrize(
    ("toml", "env", "key"),
    [
        ("[deadlines]\ncomplaint = -1\n", {}, "deadlines.complaint"),
        ("", {"WORKSTATION_DEADLINES__COMPLAINT": "seven"}, "deadlines.complaint"),
        ("", {"WORKSTATION_DEADLINES__COMPLIANT": "7"}, "deadlines.compliant"),
        ('timezone = "Mars/Olympus"\n', {}, "timezone"),
        ('language = "fr"\n', {}, "language"),
        ('server_url = "ftp://x"\n', {}, "server_url"),
        ("colour = 1\n", {}, "colour"),
        ("[notices]\nnumber_digits = 0\n", {}, "notices.number_digits"),
        ('deadlines = "x"\n', {}, "deadlines"),
        ("", {"WORKSTATION_ASSIST_MIN_NEW_ORDERS": "0"}, "assist.min_new_orders"),
        ("[open311]\nrate_per_minute = 0\n", {}, "open311.rate_per_minute"),
        ("", {"WORKSTATION_JOBS_INTERVAL": "-1"}, "jobs.interval"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, toml: str, env: dict[str, str], key: str) -> None:
    cfg = write(tmp_path / "ws.toml", toml)
    with pytest.raises(ConfigError) as info:
        load_settings(cfg, env=env)
    assert info.value.details["key"] == key
    assert key in info.value.en and key in info.value.zh


def test_env_origin_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(env={"WORKSTATION_DEADLINES__HELP": "x"})
    assert "WORKSTATION_DEADLINES__HELP" in info.value.en


def test_bad_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as bad:
        load_settings(write(tmp_path / "bad.toml", "city = \n"), env={})
    assert "TOML" in bad.value.en
    with pytest.raises(ConfigError):
        load_settings(tmp_path / "missing.toml", env={})
    with pytest.raises(ConfigError) as from_env:
        load_settings(env={"WORKSTATION_CONFIG": str(tmp_path / "gone.toml")})
    assert "WORKSTATION_CONFIG" in from_env.value.en


def test_calendar_loads_overrides_when_present(tmp_path: Path) -> None:
    env = {"WORKSTATION_DATA_DIR": str(tmp_path)}
    s = load_settings(env=env)
    assert not s.calendar().has_official_data(2027)
    (tmp_path / "calendar_overrides.json").write_text(
        json.dumps({"2027": {"holidays": ["2027-01-01"]}}), encoding="utf-8"
    )
    fresh = load_settings(env=env)
    cal = fresh.calendar()
    assert cal.has_official_data(2027) and not cal.is_working_day(date(2027, 1, 1))
    assert fresh.calendar() is cal  # cached
