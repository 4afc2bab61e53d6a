"""The submit form (网上诉求 / 市长信箱) checked field by field, then the Open311 intake.

Field-level checks first, so the page can show each message beside its field and keep
what was typed; then the very rules of ``POST /open311/v2/requests``
(``open311_intake.validate_request``) and the same store path into the agents' web-request
queue (F11), with the channel (web or mailbox), the wish for confidentiality and the
lookup code stored in the same transaction.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from central.open311_intake import Open311Error, validate_request
from workstation.wire.text import Limits

KINDS = ("consultation", "help", "complaint", "suggestion")
CHANNELS = ("web", "mailbox")
CONTACT_REQUIRED = ("help", "complaint")
"""Kinds that need a name and phone (the callback must reach someone)."""
LIMITS = {
    "content": 4000,  # open311_intake.MAX_DESCRIPTION
    "place": Limits.ADDRESS,
    "name": 64,  # an Open311 last_name
    "phone": Limits.PHONE,
    "lat": 40,
    "lon": 40,
    "kind": 16,
    "channel": 16,
    "confidential": 8,
}
FIELDS = tuple(LIMITS)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_PHONE = re.compile(r"^[0-9+\-() ]{3,32}$")
SERVICE_CODE = "QD-099"
"""The catalogue's 其他 (other): the form asks the kind, the agent picks the rest."""


@dataclass
class WebForm:
    """What the citizen typed, kept as typed (bounded) so the page can show it again."""

    kind: str = "consultation"
    content: str = ""
    place: str = ""
    lat: str = ""
    lon: str = ""
    name: str = ""
    phone: str = ""
    confidential: bool = False
    channel: str = "web"
    errors: dict[str, tuple[str, dict[str, object]]] = field(default_factory=dict)

    @classmethod
    def from_fields(cls, fields: dict[str, str]) -> WebForm:
        form = cls()
        for name in FIELDS:
            raw = fields.get(name, "")
            limit = LIMITS[name]
            if name == "confidential":
                form.confidential = raw == "1"
                continue
            value = raw if isinstance(raw, str) else ""
            if name == "channel" and not value:
                value = "web"  # the plain submit page's channel
            if len(value) > limit:
                form.errors[name] = ("field.too_long", {"n": limit})
                value = value[:limit]
            elif _CONTROL.search(value.replace("\t", "").replace("\n", "").replace("\r", "")):
                form.errors[name] = ("field.control", {})
                value = _CONTROL.sub("", value)
            setattr(form, name, value)
        return form


def check(form: WebForm) -> None:
    """Add the field errors of a form (its ``errors``); nothing stored yet."""
    e = form.errors
    if form.kind not in KINDS:
        e.setdefault("kind", ("field.choice", {}))
    if form.channel not in CHANNELS:
        e.setdefault("channel", ("field.choice", {}))
    if not form.content.strip():
        e.setdefault("content", ("field.required", {}))
    coords = {}
    for name, limit in (("lat", 90.0), ("lon", 180.0)):
        raw = form.__dict__[name].strip()
        if not raw:
            continue
        try:
            value = float(raw)
        except ValueError:
            e.setdefault(name, ("field.number", {}))
            continue
        if not math.isfinite(value) or not -limit <= value <= limit:
            e.setdefault(name, ("field.range", {}))
        coords[name] = value
    if bool(form.lat.strip()) != bool(form.lon.strip()):
        missing = "lon" if form.lat.strip() else "lat"
        e.setdefault(missing, ("field.both", {}))
    if form.phone.strip() and not _PHONE.match(form.phone.strip()):
        e.setdefault("phone", ("field.phone", {}))
    if form.kind in CONTACT_REQUIRED:
        for name in ("name", "phone"):
            if not form.__dict__[name].strip():
                e.setdefault(name, ("field.contact_needed", {}))


def open311_fields(form: WebForm) -> dict[str, str]:
    """The form as the Open311 endpoint's fields, for the one shared rule set."""
    return {
        "service_code": SERVICE_CODE,
        "attribute[request_type]": form.kind,
        "description": form.content.strip(),
        "address_string": form.place.strip(),
        "lat": form.lat.strip(),
        "long": form.lon.strip(),
        "last_name": form.name.strip(),
        "phone": form.phone.strip(),
    }


_OPEN311_FIELD = {
    "description": "content",
    "address_string": "place",
    "lat": "lat",
    "long": "lon",
    "last_name": "name",
    "phone": "phone",
    "attribute[request_type]": "kind",
}


def validated(form: WebForm) -> dict[str, Any] | None:
    """The cleaned Open311 request, or None with the field's error added to the form."""
    try:
        return validate_request(open311_fields(form))
    except Open311Error as exc:
        where = next(
            (ours for theirs, ours in _OPEN311_FIELD.items() if exc.description.startswith(theirs)),
            "content",
        )
        form.errors.setdefault(where, ("field.raw", {"message": exc.description}))
        return None
