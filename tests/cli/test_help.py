"""Every help text of the `workstation` command exists in Chinese (the default language)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from hotline.cli import build_parser
from hotline.cli_parser import help_text
from tests.cli.conftest import has_chinese
from workstation.i18n import set_language


def _texts(parser: argparse.ArgumentParser) -> Iterator[str]:
    if parser.description:
        yield parser.description
    for action in parser._actions:  # argparse offers no public walk of its parsers
        if action.help and action.help is not argparse.SUPPRESS:
            yield action.help
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                if choice.help:
                    yield choice.help
            for sub in {id(p): p for p in action.choices.values()}.values():
                yield from _texts(sub)


def test_every_help_text_has_chinese() -> None:
    set_language("zh")
    try:
        texts = list(_texts(build_parser()))
        assert len(texts) > 60
        untranslated = [t for t in texts if not has_chinese(help_text(t))]
        assert untranslated == []
    finally:
        set_language("zh")


def test_english_help_is_left_as_written() -> None:
    set_language("en")
    try:
        assert help_text("search the knowledge base") == "search the knowledge base"
    finally:
        set_language("zh")
