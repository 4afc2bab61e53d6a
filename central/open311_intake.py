"""Open311 intake: the city's categories, checking a posted request, logging it as a contact.

Why a separate module: the router (:mod:`central.open311`) stays about HTTP and formats,
while the rules of what a citizen may post (field limits, location for the categories
that need one, coordinates, contact details) and how it is stored live here. The stored
contact keeps the structured request under ``data["open311"]`` for the triage screen.
"""

from __future__ import annotations

import json
import math
import re
from collections import deque
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from central.store import Store

ID_PREFIX = "311-"
MAX_BODY = 64 * 1024
MAX_DESCRIPTION = 4000
REQUEST_TYPES = {"consultation": "咨询", "help": "求助", "complaint": "投诉", "suggestion": "建议"}
FIELD_LIMITS = {
    "api_key": 200,
    "jurisdiction_id": 100,
    "service_code": 64,
    "lat": 40,
    "long": 40,
    "address_string": 500,
    "address_id": 100,
    "email": 254,
    "device_id": 200,
    "account_id": 200,
    "first_name": 64,
    "last_name": 64,
    "phone": 32,
    "description": MAX_DESCRIPTION,
    "media_url": 2048,
}
MAX_FIELDS = 100
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+\-() ]{3,32}$")


class Open311Error(Exception):
    """An error in the specification's form: ``[{"code": status, "description": ...}]``."""

    def __init__(self, status: int, description: str, headers: dict[str, str] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.headers = headers


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Any]:
    path = Path(__file__).with_name("data") / "open311_services.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    data["by_code"] = {s["service_code"]: s for s in data["services"]}
    return data


def parse_lang(lang: str | None) -> str:
    if lang in (None, "", "zh", "en"):
        return lang or "zh"
    raise Open311Error(400, "lang must be zh or en (语言须为 zh 或 en)")


def service_doc(service: dict[str, Any], lang: str) -> dict[str, Any]:
    return {
        "service_code": service["service_code"],
        "service_name": service[f"name_{lang}"],
        "description": service[f"description_{lang}"],
        "metadata": True,
        "type": "realtime",
        "keywords": ",".join(service["keywords"]),
        "group": service[f"group_{lang}"],
    }


def definition_doc(service: dict[str, Any], lang: str) -> dict[str, Any]:
    zh = lang == "zh"
    return {
        "service_code": service["service_code"],
        "attributes": [
            {
                "variable": True,
                "code": "request_type",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "咨询、求助、投诉或建议"
                if zh
                else "consultation, help, complaint or suggestion",
                "order": 1,
                "description": "诉求类型" if zh else "Kind of request",
                "values": [
                    {"key": key, "name": name if zh else key} for key, name in REQUEST_TYPES.items()
                ],
            }
        ],
    }


class RateLimiter:
    """At most ``per_minute`` posts per client in any 60 s (this process's memory)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.seen: dict[str, deque[float]] = {}

    def check(self, client: str, now: float) -> None:
        window = self.seen.setdefault(client, deque())
        while window and now - window[0] >= 60:
            window.popleft()
        if len(window) >= self.per_minute:
            retry = max(1, math.ceil(60 - (now - window[0])))
            raise Open311Error(
                429, "too many requests; retry later (请求过于频繁)", {"Retry-After": str(retry)}
            )
        window.append(now)
        if len(self.seen) > 10_000:  # forget idle clients
            for key in [k for k, w in self.seen.items() if not w or now - w[-1] >= 60]:
                del self.seen[key]


def parse_body(body: bytes, content_type: str) -> dict[str, str]:
    """The posted fields as strings (form-encoded as the spec says, or a JSON object)."""
    from urllib.parse import parse_qsl

    if len(body) > MAX_BODY:
        raise Open311Error(413, f"request body larger than {MAX_BODY} bytes (请求体过大)")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Open311Error(400, "the body is not UTF-8 (请使用 UTF-8 编码)") from exc
    kind = content_type.split(";")[0].strip().lower()
    if kind in ("", "application/x-www-form-urlencoded"):
        try:
            pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=100)
        except ValueError as exc:
            raise Open311Error(400, "too many fields (字段过多)") from exc
        return dict(pairs)
    if kind == "application/json":
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep
            raise Open311Error(400, "the body is not valid JSON (JSON 格式错误)") from exc
        if not isinstance(data, dict) or len(data) > 100:
            raise Open311Error(400, "the body must be an object of fields (须为字段对象)")
        attrs = data.pop("attribute", None)
        if isinstance(attrs, dict):
            data.update({f"attribute[{k}]": v for k, v in attrs.items()})
        fields = {}
        for key, value in data.items():
            if isinstance(value, bool) or not isinstance(value, str | int | float | type(None)):
                raise Open311Error(400, f"{str(key)[:40]} must be a string or a number")
            fields[str(key)] = "" if value is None else str(value)
        return fields
    raise Open311Error(415, "use application/x-www-form-urlencoded (请以表单格式提交)")


def _coordinate(fields: dict[str, str], name: str, limit: float) -> float | None:
    raw = fields.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise Open311Error(400, f"{name} is not a number ({name} 须为数字)") from exc
    if not math.isfinite(value) or not -limit <= value <= limit:
        raise Open311Error(400, f"{name} must be between -{limit:g} and {limit:g}")
    return value


def check_text(fields: dict[str, str], limits: dict[str, int], default: int = 200) -> None:
    """Every name and value valid Unicode, within its length limit, free of control
    characters; else an ``Open311Error`` (400) that names the field.

    Valid Unicode first: a lone surrogate (``"\\ud800"`` in a JSON body) cannot be stored
    or even echoed in an error, so the message shows such a name escaped.
    """
    if len(fields) > MAX_FIELDS:
        raise Open311Error(400, f"too many fields (at most {MAX_FIELDS}; 字段过多)")
    for key, value in fields.items():
        name = printable(key[:40])
        if not _is_unicode(key) or not _is_unicode(value):
            raise Open311Error(400, f"{name} is not valid Unicode text (含有无效字符)")
        limit = limits.get(key, default)
        if len(key) > 100 or len(value) > limit:
            raise Open311Error(400, f"{name} is too long (at most {limit} characters; 内容过长)")
        if _CONTROL.search(value.replace("\t", "").replace("\n", "").replace("\r", "")):
            raise Open311Error(400, f"{name} contains control characters (含有非法字符)")


def printable(text: str) -> str:
    """``text`` safe to put in an answer: invalid code points escaped."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def validate_request(fields: dict[str, str]) -> dict[str, Any]:
    """Check a posted request; the cleaned fields or an ``Open311Error`` (400)."""
    check_text(fields, FIELD_LIMITS)
    code = fields.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code is required (请选择诉求类别)")
    service = catalogue()["by_code"].get(code)
    if service is None:
        raise Open311Error(400, f"service_code {code!r} not found (未知的诉求类别)")
    lat, lng = _coordinate(fields, "lat", 90), _coordinate(fields, "long", 180)
    if (lat is None) != (lng is None):
        raise Open311Error(400, "lat and long must be given together (经纬度须同时提供)")
    address = fields.get("address_string", "").strip()
    address_id = fields.get("address_id", "").strip()
    if service["location_required"] and lat is None and not address and not address_id:
        raise Open311Error(400, "lat/long, address_string or address_id is required (请提供位置)")
    email = fields.get("email", "").strip()
    if email and not _EMAIL.match(email):
        raise Open311Error(400, "email is not valid (邮箱格式不正确)")
    phone = fields.get("phone", "").strip()
    if phone and not _PHONE.match(phone):
        raise Open311Error(400, "phone is not valid (电话格式不正确)")
    media = fields.get("media_url", "").strip()
    if media and not re.match(r"^https?://[^\s]+$", media):
        raise Open311Error(400, "media_url must be an http(s) URL")
    request_type = fields.get("attribute[request_type]", "").strip()
    if request_type and request_type not in REQUEST_TYPES:
        raise Open311Error(400, "attribute[request_type] is not one of the listed values")
    description = fields.get("description", "").strip()
    return {
        "service_code": code,
        "service_name": service["name_zh"],
        "description": description,
        "lat": lat,
        "long": lng,
        "address": address,
        "address_id": address_id,
        "email": email,
        "phone": phone,
        "first_name": fields.get("first_name", "").strip(),
        "last_name": fields.get("last_name", "").strip(),
        "device_id": fields.get("device_id", "").strip(),
        "account_id": fields.get("account_id", "").strip(),
        "media_url": media,
        "request_type": request_type or None,
    }


def store_request(
    store: Store,
    req: dict[str, Any],
    *,
    channel: str | None = None,
    confidential: bool = False,
    also: Callable[[Any, str], None] | None = None,
) -> str:
    """Log the request as a contact (outcome ``logged``) and tell the staff seats.

    The citizen's web page (``central.web``) passes its ``channel`` (web or mailbox), the
    citizen's wish for confidentiality, and ``also``: a step run in the same transaction
    with the new id (it stores the lookup code)."""
    from central import schema
    from central.changes import Change, dumps
    from central.order_tables import next_counter
    from workstation.contacts import contact_to_dict
    from workstation.deadlines import local_date
    from workstation.models import Channel, Contact, OrderType

    with store.transaction() as tx:
        year = local_date(tx.now, store.settings.timezone).year
        contact_id = f"{ID_PREFIX}{year}-{next_counter(tx, f'open311:{year}'):06d}"
        content = req["description"] or f"[{req['service_name']}]"
        if req["address"]:
            content += f"\n地址：{req['address']}"
        contact = Contact(
            contact_id=contact_id,
            channel=Channel(channel or ("mobile" if req["device_id"] else "web")),
            content=content,
            received_at=tx.now,
            caller_name=req["last_name"] + req["first_name"]
            if _is_cjk(req["last_name"] + req["first_name"])
            else " ".join(p for p in (req["first_name"], req["last_name"]) if p),
            caller_phone=req["phone"],
            type=OrderType(req["request_type"]) if req["request_type"] else None,
            confidential=confidential,
        )
        data = {**contact_to_dict(contact), "open311": req}
        tx.conn.execute(
            schema.contacts.insert().values(
                contact_id=contact_id,
                order_id=None,
                outcome=contact.outcome.value,
                received_at=tx.now,
                seat=None,
                agent=None,
                caller_phone=contact.caller_phone,
                data=dumps(data),
            )
        )
        if also is not None:
            also(tx, contact_id)
        tx.emit(Change("contact", contact_id, data))
    return contact_id


def _is_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
