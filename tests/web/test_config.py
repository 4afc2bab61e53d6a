"""``[web]`` settings: the types published by default, from the file or the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from workstation.config import load_settings
from workstation.errors import ConfigError


def test_defaults_and_environment(tmp_path: Path) -> None:
    env = {"WORKSTATION_DATA_DIR": str(tmp_path)}
    assert load_settings(env=env).web.publish_by_default == ("consultation", "suggestion")
    env["WORKSTATION_WEB__PUBLISH_BY_DEFAULT"] = "help, complaint"
    assert load_settings(env=env).web.publish_by_default == ("help", "complaint")


def test_file_and_refusals(tmp_path: Path) -> None:
    path = tmp_path / "workstation.toml"
    path.write_text("[web]\npublish_by_default = []\npage_size = 5\n", encoding="utf-8")
    web = load_settings(path, env={}).web
    assert web.publish_by_default == () and web.page_size == 5
    path.write_text('[web]\npublish_by_default = ["gossip"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    assert "publish_by_default" in str(info.value.to_dict())
