"""The interface language: Simplified Chinese by default, English with ``--lang en``.

Domain messages carry both languages; this module picks one. It holds one process-wide
setting because a workstation serves one person in one language at a time.
"""

from __future__ import annotations

from typing import Literal

Language = Literal["zh", "en"]
_current: Language = "zh"


def set_language(lang: str) -> None:
    global _current
    if lang not in ("zh", "en"):
        raise ValueError(f"unsupported language {lang!r}; use 'zh' or 'en'")
    _current = lang  # type: ignore[assignment]


def language() -> Language:
    return _current


def tr(zh: str, en: str) -> str:
    """Return the text in the current language."""
    return zh if _current == "zh" else en


# -- the command line's own messages ------------------------------------------------------
# argparse writes its messages in English; the `workstation` command shows them in the
# interface language. Each pattern matches one of argparse's (Python 3.11+) templates.

_ARGPARSE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"argument (?P<arg>.+?): (?P<rest>.+)", "参数 {arg}：{rest}"),
    (
        r"invalid choice: (?P<value>.+?) \(choose from (?P<choices>.*)\)",
        "无效的取值 {value}（可选：{choices}）",
    ),
    (r"the following arguments are required: (?P<args>.+)", "缺少必需的参数：{args}"),
    (r"unrecognized arguments: (?P<args>.+)", "无法识别的参数：{args}"),
    (r"expected one argument", "需要一个值"),
    (r"expected at most one argument", "最多只能有一个值"),
    (r"expected at least one argument", "至少需要一个值"),
    (r"expected (?P<n>\d+) arguments?", "需要 {n} 个值"),
    (r"invalid (?P<type>\w+) value: (?P<value>.+)", "无效的{type}值：{value}"),
    (
        r"ambiguous option: (?P<opt>.+?) could match (?P<matches>.+)",
        "选项 {opt} 有歧义，可能是：{matches}",
    ),
    (r"not allowed with argument (?P<arg>.+)", "不能与参数 {arg} 同时使用"),
    (r"one of the arguments (?P<args>.+) is required", "必须给出其中一个参数：{args}"),
    (r"ignored explicit argument (?P<arg>.+)", "参数不接受取值：{arg}"),
    (r"unexpected option string: (?P<opt>.+)", "意外的选项：{opt}"),
)
_ARGPARSE_TYPES = {"int": "整数", "float": "数字"}
_ARGPARSE_WORDS = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
}


def argparse_text(message: str) -> str:
    """One of argparse's English messages in the interface language (unknown ones unchanged)."""
    if _current == "en":
        return message
    if message in _ARGPARSE_WORDS:
        return _ARGPARSE_WORDS[message]
    import re

    for pattern, template in _ARGPARSE_PATTERNS:
        match = re.fullmatch(pattern, message, flags=re.DOTALL)
        if match is None:
            continue
        parts = dict(match.groupdict())
        if "rest" in parts:
            parts["rest"] = argparse_text(parts["rest"])
        if "type" in parts:
            parts["type"] = _ARGPARSE_TYPES.get(parts["type"], parts["type"])
        return template.format(**parts)
    return message
