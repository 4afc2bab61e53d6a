"""Every failure of the `workstation` command is one line in the interface language.

Chinese by default, English with ``--lang en`` or ``WORKSTATION_LANG=en``; never a
traceback; exit 1 (2 for a mistyped command line, as argparse does).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Workstation, one_line_error

LANGS = [("zh", []), ("en", ["--lang", "en"])]


@pytest.mark.parametrize(("lang", "flag"), LANGS)
def test_order_file_missing_is_named(workstation: Workstation, lang: str, flag: list[str]) -> None:
    result = workstation(*flag, "order", "create", "--json", "missing.json")
    line = one_line_error(result, 1, lang)
    assert "missing.json" in line
    assert ("找不到" in line) if lang == "zh" else ("not found" in line)


@pytest.mark.parametrize(("lang", "flag"), LANGS)
def test_units_file_missing_is_named(workstation: Workstation, lang: str, flag: list[str]) -> None:
    result = workstation(*flag, "admin", "load-units", "missing.csv")
    line = one_line_error(result, 1, lang)
    assert "missing.csv" in line
    assert ("找不到" in line) if lang == "zh" else ("not found" in line)


@pytest.mark.parametrize(("lang", "flag"), LANGS)
@pytest.mark.parametrize("port", ["99999", "0", "-1", "http"])
def test_serve_port_checked_while_parsing(
    workstation: Workstation, lang: str, flag: list[str], port: str
) -> None:
    result = workstation(*flag, "serve", "--port", port)
    line = one_line_error(result, 2, lang)
    assert "65535" in line and "--port" in line
    assert ("端口" in line) if lang == "zh" else ("port" in line)


@pytest.mark.parametrize(
    ("argv", "zh", "en"),
    [
        (["deadline", "--type", "gossip", "--from", "2026-09-30"], "无效的取值", "invalid choice"),
        (["deadline", "--type", "help"], "缺少必需的参数", "are required"),
        (["deadline", "--type", "help", "--from", "yesterday"], "不是 ISO 8601", "not an ISO"),
        (["calendar", "check", "next"], "不是年份", "not a year"),
        (["frobnicate"], "无效的取值", "invalid choice"),
        (["kb", "search", "x", "--limit", "many"], "应为", "expected"),
        (["sync", "--once", "--bogus"], "无法识别的参数", "unrecognized arguments"),
    ],
)
def test_argument_errors_follow_the_language(
    workstation: Workstation, argv: list[str], zh: str, en: str
) -> None:
    line = one_line_error(workstation(*argv), 2, "zh")
    assert zh in line and "--help" in line
    line = one_line_error(workstation("--lang", "en", *argv), 2, "en")
    assert en in line and "--help" in line
    line = one_line_error(workstation(*argv, env={"WORKSTATION_LANG": "en"}), 2, "en")
    assert en in line


def test_language_from_the_configuration_file(workstation: Workstation, tmp_path: Path) -> None:
    config = tmp_path / "workstation.toml"
    config.write_text('language = "en"\n', encoding="utf-8")
    result = workstation("deadline", "--type", "gossip", env={"WORKSTATION_CONFIG": str(config)})
    assert "invalid choice" in one_line_error(result, 2, "en")


def test_help_is_in_the_interface_language(workstation: Workstation) -> None:
    zh = workstation("deadline", "--help")
    assert zh.code == 0 and "用法：" in zh.out and "显示本帮助并退出" in zh.out
    en = workstation("--lang", "en", "deadline", "--help")
    assert en.code == 0 and "usage:" in en.out and "show this help message" in en.out


@pytest.mark.parametrize(("lang", "flag"), LANGS)
@pytest.mark.parametrize("stdin", ["", "\n  \n"])
def test_order_create_with_empty_input_is_an_error(
    workstation: Workstation, lang: str, flag: list[str], stdin: str
) -> None:
    line = one_line_error(
        workstation(*flag, "order", "create", "--json", "-", stdin=stdin), 1, lang
    )
    assert ("没有工单" in line) if lang == "zh" else ("no orders" in line)


@pytest.mark.parametrize(("lang", "flag"), LANGS)
def test_admin_init_refuses_a_missing_directory(
    workstation: Workstation, tmp_path: Path, lang: str, flag: list[str]
) -> None:
    missing = tmp_path / "no" / "such" / "dir"
    result = workstation(*flag, "admin", "init", "--db", f"sqlite:///{missing}/x.db")
    line = one_line_error(result, 1, lang)
    assert str(missing) in line and "--create-dir" in line
    assert not (tmp_path / "no").exists()


def test_admin_init_creates_the_directory_when_asked(
    workstation: Workstation, tmp_path: Path
) -> None:
    target = tmp_path / "new" / "dir" / "x.db"
    result = workstation("admin", "init", "--db", f"sqlite:///{target}", "--create-dir")
    assert result.code == 0, result
    assert target.is_file() and "Traceback" not in result.err


def test_serve_refuses_a_missing_directory(workstation: Workstation, tmp_path: Path) -> None:
    result = workstation("serve", "--db", f"sqlite:///{tmp_path}/nope/x.db", "--port", "8799")
    assert "--create-dir" in one_line_error(result, 1, "zh")
    assert not (tmp_path / "nope").exists()


@pytest.mark.parametrize(("lang", "flag"), LANGS)
def test_kb_search_on_an_empty_knowledge_base_says_how_to_import(
    workstation: Workstation, lang: str, flag: list[str]
) -> None:
    line = one_line_error(workstation(*flag, "kb", "search", "噪音"), 1, lang)
    assert str(workstation.data_dir / "seat.sqlite3") in line
    assert "workstation kb import" in line
    assert not (workstation.data_dir / "seat.sqlite3").exists()  # a search creates nothing


def test_kb_search_names_the_knowledge_base_it_searched(
    workstation: Workstation, tmp_path: Path
) -> None:
    articles = tmp_path / "kb.jsonl"
    article = {"id": "K1", "title": "居住证办理", "body": "外来人员居住半年以上可申领居住证。"}
    articles.write_text(json.dumps(article, ensure_ascii=False) + "\n", encoding="utf-8")
    assert workstation("kb", "import", str(articles)).code == 0
    db = str(workstation.data_dir / "seat.sqlite3")

    found = workstation("kb", "search", "居住证")
    assert found.code == 0 and "K1" in found.out

    none = workstation("kb", "search", "火箭发射")
    assert none.code == 0 and "Traceback" not in none.err
    assert "没有结果" in none.out and db in none.out and "1 篇" in none.out
    none_en = workstation("--lang", "en", "kb", "search", "火箭发射")
    assert "no results" in none_en.out and db in none_en.out and "1 article" in none_en.out


@pytest.mark.parametrize(("lang", "flag"), LANGS)
def test_unexpected_errors_are_one_line_and_logged(
    workstation: Workstation, tmp_path: Path, lang: str, flag: list[str]
) -> None:
    """The last resort: a failure nobody foresaw (here an order file in GBK, as a
    spreadsheet may save it) is one line naming the log that keeps the traceback."""
    orders = tmp_path / "orders.jsonl"
    orders.write_bytes('{"content": "噪音扰民"}\n'.encode("gbk"))
    line = one_line_error(workstation(*flag, "order", "create", "--json", str(orders)), 1, lang)
    log = workstation.state_dir / "hotline-workstation" / "errors.log"
    assert str(log) in line
    assert ("意外错误" in line) if lang == "zh" else ("unexpected error" in line)
    assert "Traceback" in log.read_text(encoding="utf-8")
