"""The site keymap: ``keymap.toml`` in the data directory rebinds actions by binding id.

Format::

    # keymap.toml
    [keys]
    submit = "f12"            # binding id = comma-separated keys
    kb = "f3,ctrl+k"

Binding ids are listed by ``workstation tui --keys``; unknown ids are ignored by Textual.
"""

from __future__ import annotations

from pathlib import Path

from workstation.errors import ConfigError

KEYMAP_FILE = "keymap.toml"


def load_keymap(data_dir: Path | None) -> dict[str, str]:
    """The ``[keys]`` table of ``<data_dir>/keymap.toml``, or an empty keymap if absent."""
    if data_dir is None:
        return {}
    path = Path(data_dir) / KEYMAP_FILE
    if not path.is_file():
        return {}
    import tomllib

    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, OSError) as exc:
        raise ConfigError(
            f"快捷键文件 {path} 无效：{exc}", f"keymap file {path} is invalid: {exc}"
        ) from None
    keys = raw.get("keys", raw)
    return {str(k): str(v) for k, v in keys.items() if isinstance(v, str)}
