"""The `workstation` command's argument parser, speaking the interface language.

argparse writes usage errors, "invalid choice", "required" and its help headings in
English; :class:`Parser` passes each through :func:`workstation.i18n.argparse_text` and
prints an error as one line (with a pointer to ``--help``) instead of the usage block.
The language must be decided before parsing (:func:`decide_language`), because help
texts and argument checks are produced while the parser runs.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from workstation.i18n import argparse_text, language, tr

LANGUAGES = ("zh", "en")


class _LocalizedFormatter(argparse.HelpFormatter):
    """Translates argparse's own headings ("usage:", "options", ...)."""

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        if prefix is None:  # argparse passes "" when it builds a sub-command's prog
            prefix = argparse_text("usage: ")
        super().add_usage(usage, actions, groups, prefix)

    def start_section(self, heading: str | None) -> None:
        super().start_section(argparse_text(heading) if heading else heading)

    def add_text(self, text: str | None) -> None:
        super().add_text(help_text(text) if text and text is not argparse.SUPPRESS else text)

    def _get_help_string(self, action: argparse.Action) -> str | None:
        # the one hook argparse offers for a help text (ArgumentDefaultsHelpFormatter uses it)
        return help_text(action.help) if action.help else action.help


def help_text(text: str) -> str:
    """A help text of the sub-commands in the interface language (hotline.cli_strings)."""
    if language() != "zh":
        return text
    from hotline.cli_strings import HELP_ZH

    return HELP_ZH.get(text, text)


_FORMATTERS: dict[type, type] = {}


def _localized(formatter_class: type) -> type:
    if issubclass(formatter_class, _LocalizedFormatter):
        return formatter_class
    if formatter_class not in _FORMATTERS:
        name = "Localized" + formatter_class.__name__
        _FORMATTERS[formatter_class] = type(name, (_LocalizedFormatter, formatter_class), {})
    return _FORMATTERS[formatter_class]


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose messages follow the interface language (sub-parsers too)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        add_help = kwargs.pop("add_help", True)
        kwargs["formatter_class"] = _localized(
            kwargs.get("formatter_class", argparse.HelpFormatter)
        )
        kwargs["add_help"] = False  # ours below, with the help text in the interface language
        super().__init__(*args, **kwargs)
        if add_help:
            self.add_argument(
                "-h",
                "--help",
                action="help",
                default=argparse.SUPPRESS,
                help=argparse_text("show this help message and exit"),
            )

    def error(self, message: str) -> NoReturn:
        """One line on stderr, exit 2: what is wrong and where the help is."""
        text = argparse_text(message)
        line = tr(
            f"{self.prog}：错误：{text}（用法见 {self.prog} --help）",
            f"{self.prog}: error: {text} (see {self.prog} --help)",
        )
        self.exit(2, line.replace("\n", " ") + "\n")


def decide_language(argv: Sequence[str], env: Mapping[str, str] | None = None) -> str:
    """``--lang`` anywhere in argv, else WORKSTATION_LANG(UAGE), else the config file, else zh."""
    env = os.environ if env is None else env
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        value = None
        if arg == "--lang" and index + 1 < len(argv):
            value = argv[index + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if value in LANGUAGES:
            return value
    for name in ("WORKSTATION_LANG", "WORKSTATION_LANGUAGE"):
        if env.get(name) in LANGUAGES:
            return env[name]
    return _config_language(argv, env) or "zh"


def _config_language(argv: Sequence[str], env: Mapping[str, str]) -> str | None:
    """The ``language`` key of the configuration file, if it can be read (errors come later)."""
    from workstation.config import find_config_file
    from workstation.errors import UserFacingError

    explicit = None
    for index, arg in enumerate(argv):
        if arg == "--config" and index + 1 < len(argv):
            explicit = argv[index + 1]
        elif arg.startswith("--config="):
            explicit = arg.split("=", 1)[1]
    try:
        path = find_config_file(explicit, env)
        if path is None:
            return None
        import tomllib

        with path.open("rb") as fh:
            value = tomllib.load(fh).get("language")
    except (UserFacingError, OSError, ValueError):
        return None
    return value if value in LANGUAGES else None
