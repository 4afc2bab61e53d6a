"""Typed errors with messages a person can read, in Chinese and English.

The UI shows them next to the field; the server turns them into a 4xx (or a rejected
sync command) with ``code`` and the message; the CLI prints them without a traceback.
"""

from __future__ import annotations

from typing import Any

from workstation.i18n import language


class UserFacingError(Exception):
    """An error whose message is meant for the person at the keyboard."""

    code = "error"

    def __init__(self, zh: str, en: str, **details: Any) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en
        self.details = details

    def message(self, lang: str | None = None) -> str:
        return self.zh if (lang or language()) == "zh" else self.en

    def __str__(self) -> str:
        return self.message()

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "zh": self.zh, "en": self.en, **self.details}


class ConfigError(UserFacingError):
    code = "config"


class ValidationError(UserFacingError):
    """Bad input in a field; ``field`` names it so the UI can show the message beside it."""

    code = "invalid"

    def __init__(self, field: str, zh: str, en: str, **details: Any) -> None:
        super().__init__(zh, en, field=field, **details)
        self.field = field


class DomainError(UserFacingError):
    """A workflow rule refused a command."""

    code = "refused"


class InvalidTransition(DomainError):
    code = "invalid_transition"


class NotPermitted(DomainError):
    """The actor's role may not perform this command."""

    code = "not_permitted"


class NotYourUnit(DomainError):
    code = "not_your_unit"


class AlreadySigned(DomainError):
    code = "already_signed"


class OutsideReturnWindow(DomainError):
    code = "outside_return_window"


class ExtensionTooLate(DomainError):
    code = "extension_too_late"


class UnknownOrder(DomainError):
    code = "unknown_order"


class AlreadyExists(DomainError):
    code = "already_exists"
