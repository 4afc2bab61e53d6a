"""The bounds of every text on the wire, in one place, and the typed text fields.

A text field is a strict ``str`` (no number or boolean turned into text) of at most its
limit, with no NUL and no lone surrogate (it must encode as UTF-8: the databases and the
JSON encoders refuse anything else). Parse errors become one ``ValidationError`` naming
the field, which the server stores as a final rejection and the seat shows beside it.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict
from pydantic import ValidationError as PydanticError

from workstation.errors import ValidationError


class Limits:
    """Maximum lengths (characters) and counts of the fields commands carry."""

    ID = 64  # order, contact, proposal, op and client ids; user names
    SEAT = 32
    UNIT = 32  # a unit code of the routing directory
    PHONE = 32
    NAME = 130  # a caller's name (a web request's first and last name, 64 each, fit)
    ADDRESS = 500  # a web request's address_string (Open311) fits
    CONTENT = 4_000  # the request as the caller told it
    RESULT = 4_000  # a unit's reply (办理结果)
    REASON = 1_000  # reasons, bases, comments, explanations
    LABEL = 200  # short free texts: transfer targets, categories, tags
    DATE = 40  # an ISO date or date-time
    KB_TITLE = 500
    KB_BODY = 20_000
    ITEMS = 50  # list lengths (co-handling units, article ids, tags, assist details)
    DEPTH = 8  # nesting of JSON values inside ``args``
    NODES = 2_000  # JSON values inside one ``args``
    COMMANDS = 1_000  # commands in one push


def _valid_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("is not valid Unicode (a lone surrogate)") from None
    return value


TEXT_CHECKS = (Strict(), AfterValidator(_valid_text))
"""What every text field checks besides its length: a str, no NUL, valid Unicode."""

# The text types (strict, bounded, valid Unicode), one per kind of field.
IdText = Annotated[str, Field(max_length=Limits.ID), *TEXT_CHECKS]
RequiredId = Annotated[str, Field(min_length=1, max_length=Limits.ID), *TEXT_CHECKS]
SeatText = Annotated[str, Field(min_length=1, max_length=Limits.SEAT), *TEXT_CHECKS]
CommandName = Annotated[str, Field(min_length=1, max_length=40), *TEXT_CHECKS]
UnitText = Annotated[str, Field(max_length=Limits.UNIT), *TEXT_CHECKS]
PhoneText = Annotated[str, Field(max_length=Limits.PHONE), *TEXT_CHECKS]
NameText = Annotated[str, Field(max_length=Limits.NAME), *TEXT_CHECKS]
AddressText = Annotated[str, Field(max_length=Limits.ADDRESS), *TEXT_CHECKS]
ContentText = Annotated[str, Field(max_length=Limits.CONTENT), *TEXT_CHECKS]
ResultText = Annotated[str, Field(max_length=Limits.RESULT), *TEXT_CHECKS]
ReasonText = Annotated[str, Field(max_length=Limits.REASON), *TEXT_CHECKS]
LabelText = Annotated[str, Field(max_length=Limits.LABEL), *TEXT_CHECKS]
DateText = Annotated[str, Field(max_length=Limits.DATE), *TEXT_CHECKS]
KbTitleText = Annotated[str, Field(max_length=Limits.KB_TITLE), *TEXT_CHECKS]
KbBodyText = Annotated[str, Field(max_length=Limits.KB_BODY), *TEXT_CHECKS]


class Wire(BaseModel):
    """Base of the shapes sent between seat and server: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


M = TypeVar("M", bound=BaseModel)

_MESSAGES = {
    "extra_forbidden": ("未知的参数", "is not a known argument of this command"),
    "missing": ("缺少必填项", "is required"),
    "bool_type": ("须为是或否", "must be true or false"),
    "int_type": ("须为整数", "must be a whole number"),
    "string_type": ("须为文字", "must be text"),
    "list_type": ("须为列表", "must be a list"),
    "dict_type": ("须为对象", "must be an object"),
    "model_type": ("须为对象", "must be an object"),
    "string_unicode": ("须为有效的 Unicode 文字", "is not valid Unicode text"),
    "enum": ("不是允许的取值", "is not one of the allowed values"),
    "literal_error": ("不是允许的取值", "is not one of the allowed values"),
}


_TYPE_TAGS = frozenset({"str", "int", "bool", "float", "none", "constrained-str"})


def _is_field(part: Any) -> bool:
    """A field name or list index of an error location (not a union member's tag)."""
    if isinstance(part, int):
        return True
    return part.isidentifier() and part not in _TYPE_TAGS


def _short(name: str) -> str:
    """A field name as an error quotes it: an unknown argument's name is the client's and
    may be a megabyte long (the message is stored and sent back), so at most ``ID``."""
    return name if len(name) <= Limits.ID else name[: Limits.ID - 1] + "…"


def field_error(exc: PydanticError, prefix: str = "") -> ValidationError:
    """The first problem of a pydantic error as our ``ValidationError`` (never the input)."""
    err = exc.errors(include_input=False, include_url=False)[0]
    loc = ".".join(_short(str(p)) for p in err["loc"] if _is_field(p))
    field = f"{prefix}.{loc}" if prefix and loc else (loc or prefix or "args")
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "string_too_long":
        zh, en = (
            f"过长（上限 {ctx.get('max_length')} 字）",
            (f"is too long (at most {ctx.get('max_length')} characters)"),
        )
    elif kind == "too_long":
        zh, en = (
            f"项数过多（上限 {ctx.get('max_length')}）",
            (f"has too many items (at most {ctx.get('max_length')})"),
        )
    elif kind in _MESSAGES:
        zh, en = _MESSAGES[kind]
    else:
        zh, en = "格式不正确", str(err.get("msg") or "is malformed").lower()
    return ValidationError(field, f"参数 {field} {zh}", f"argument {field} {en}")


def parse(model: type[M], data: Any, prefix: str = "") -> M:
    """Validate ``data`` (a decoded JSON value) into ``model``, or raise ``ValidationError``."""
    try:
        return model.model_validate(data)
    except PydanticError as exc:
        raise field_error(exc, prefix) from None


def check_nesting(value: Any, field: str = "args") -> None:
    """Refuse JSON nested deeper than ``Limits.DEPTH`` or larger than ``Limits.NODES``.

    Iterative, so no recursion limit is reached whatever the input; run before any
    recursive walk of client-supplied data.
    """
    stack: list[tuple[Any, int]] = [(value, 0)]
    nodes = 0
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if depth > Limits.DEPTH or nodes > Limits.NODES:
            raise ValidationError(
                field,
                f"参数 {field} 嵌套过深或过大",
                f"{field} is nested too deeply or too large",
            )
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
