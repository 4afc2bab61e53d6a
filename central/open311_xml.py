"""The XML form of Open311 GeoReport v2 documents (the ``.xml`` suffix of every route).

The specification's XML mirrors its JSON: a plural root (``services``,
``service_requests``, ``errors``), one child per array item (``service``, ``request``,
``error``), a child element per field, empty elements for null values, and nested lists
in ``attributes/attribute`` and ``values/value``. Text is stripped of the control
characters XML 1.0 cannot carry, so a response is always well-formed.
"""

from __future__ import annotations

import re
from typing import Any

_INVALID_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

#: List fields and the element name of their items.
_ITEMS = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
#: Root element and item element of each top-level document.
ROOTS = {
    "services": ("services", "service"),
    "service_definition": ("service_definition", None),
    "requests": ("service_requests", "request"),
    "errors": ("errors", "error"),
    "discovery": ("discovery", None),
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _INVALID_XML.sub("", str(value))


def _fill(element: Any, data: dict[str, Any]) -> None:
    from xml.etree.ElementTree import SubElement

    for key, value in data.items():
        child = SubElement(element, key)
        if isinstance(value, list):
            item_name = _ITEMS.get(key, "item")
            for item in value:
                sub = SubElement(child, item_name)
                if isinstance(item, dict):
                    _fill(sub, item)
                else:
                    sub.text = _text(item)
        elif isinstance(value, dict):
            _fill(child, value)
        else:
            child.text = _text(value)


def to_xml(kind: str, payload: Any) -> bytes:
    """Serialise a document of ``kind`` (a key of ``ROOTS``) as UTF-8 XML with a prolog."""
    from xml.etree.ElementTree import Element, SubElement, tostring

    root_name, item_name = ROOTS[kind]
    root = Element(root_name)
    if item_name is None:
        _fill(root, payload)
    else:
        for item in payload:
            _fill(SubElement(root, item_name), item)
    body: bytes = tostring(root, encoding="utf-8", xml_declaration=True)
    return body
