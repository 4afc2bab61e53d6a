"""The knowledge-base article record and its validation."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from kb_index.errors import InvalidArticle

FIELDS = ("id", "title", "body", "unit", "category", "tags", "updated")


@dataclass(frozen=True, slots=True)
class Article:
    """One answer in the knowledge base (知识库条目); ``unit`` is a code or a free-text name."""

    id: str
    title: str
    body: str = ""
    unit: str = ""
    category: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    updated: str = ""

    @classmethod
    def from_mapping(cls, data: Any) -> Article:
        """Validate a decoded record (JSON object, CSV row, front matter)."""
        if isinstance(data, Article):
            return data
        if not isinstance(data, dict):
            raise InvalidArticle("record", "条目必须是对象", "the record must be an object")
        values: dict[str, Any] = {}
        for name in ("id", "title"):
            value = data.get(name)
            if isinstance(value, int) and not isinstance(value, bool) and name == "id":
                value = str(value)
            if not isinstance(value, str) or not value.strip():
                raise InvalidArticle(name, f"缺少字段 {name}", f"missing or empty field '{name}'")
            values[name] = value.strip()
        for name in ("body", "unit", "category", "updated"):
            value = data.get(name)
            if value is None:
                value = ""
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise InvalidArticle(name, f"字段 {name} 应为文本", f"field '{name}' must be text")
            values[name] = str(value).strip() if name != "body" else str(value)
        tags = data.get("tags")
        if tags is None or tags == "":
            tag_list: list[str] = []
        elif isinstance(tags, str):
            tag_list = [t for t in _split_tags(tags)]
        elif isinstance(tags, list | tuple) and all(isinstance(t, str) for t in tags):
            tag_list = [t.strip() for t in tags if t.strip()]
        else:
            raise InvalidArticle("tags", "tags 应为文本列表", "field 'tags' must be a list of text")
        values["tags"] = tuple(tag_list)
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["tags"] = list(self.tags)
        return data

    def tags_json(self) -> str:
        return json.dumps(list(self.tags), ensure_ascii=False)


def _split_tags(text: str) -> list[str]:
    text = text.strip()
    if text.startswith("["):
        try:
            decoded = json.loads(text)
        except ValueError:
            text = text.strip("[]")
        else:
            if isinstance(decoded, list):
                return [str(t).strip() for t in decoded if str(t).strip()]
    for sep in ("，", "、", ";", "；", "|"):
        text = text.replace(sep, ",")
    return [t.strip().strip("'\"") for t in text.split(",") if t.strip().strip("'\"")]
