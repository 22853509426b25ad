"""What may reach the database: ids within the integer column range, text that UTF-8 (and PostgreSQL)
can store, strings within their columns. The web layer checks at the edge; `check_row`, run before
every flush, is the last line, so no path (web, API, CLI, worker) stores what would fail with a 500.
"""
from __future__ import annotations

import re

from sqlalchemy import JSON, String, inspect

from .errors import InvalidInput

MAX_ID = 2**31 - 1  # PostgreSQL integer; SQLite overflows beyond 2**63 - 1
MAX_JSON_DEPTH = 20
_SURROGATE = re.compile("[\ud800-\udfff]")
_ASCII_DIGITS = re.compile(r"[0-9]{1,10}")

# How a column is called in a message; unnamed columns are called by their name.
FIELD_LABELS = {
    "title": "标题", "body": "正文", "name": "名称", "username": "用户名", "url": "地址", "webhook_url": "webhook 地址",
    "source": "来源", "comment": "意见", "override_reason": "理由", "repost": "转载信息", "content": "内容",
    "note": "说明", "details": "审计详情", "payload": "发布内容",
}


def parse_id(value) -> int | None:
    """An id given as an int or a string of ASCII digits, within range; None for anything else.

    Booleans and floats are refused, not coerced (`true` and `1.5` are not channel 1).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _ASCII_DIGITS.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if 1 <= number <= MAX_ID else None


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored as text, or None."""
    if "\x00" in value:
        return "包含空字符（\\u0000），无法保存"
    if _SURROGATE.search(value):
        return "包含无法编码的字符（孤立的 UTF-16 代理项），无法保存"
    return None


def check_text(value, label: str, max_length: int | None = None) -> str:
    """A text field from a request: a string, storable, not longer than `max_length`."""
    if not isinstance(value, str):
        raise InvalidInput(f"{label}必须是文本")
    problem = text_problem(value)
    if problem:
        raise InvalidInput(f"{label}{problem}")
    if max_length is not None and len(value) > max_length:
        raise InvalidInput(f"{label}不能超过 {max_length} 个字符")
    return value


def json_problem(data, depth: int = 0) -> str | None:
    """Why parsed JSON cannot be accepted (nested too deeply, text that cannot be stored), or None."""
    if depth > MAX_JSON_DEPTH:
        return f"嵌套超过 {MAX_JSON_DEPTH} 层"
    if isinstance(data, str):
        return text_problem(data)
    if isinstance(data, dict):
        items = [*data.keys(), *data.values()]
    elif isinstance(data, list):
        items = data
    else:
        return None
    for item in items:
        problem = json_problem(item, depth + 1)
        if problem:
            return problem
    return None


def check_row(obj) -> None:
    """Before a flush: every string fits its column and every text (also inside JSON) can be stored."""
    state = inspect(obj)
    for column in state.mapper.columns:
        if column.key not in state.dict:
            continue
        value = state.dict[column.key]
        label = FIELD_LABELS.get(column.key, column.key)
        if isinstance(value, str):
            check_text(value, label, column.type.length if isinstance(column.type, String) else None)
        elif value is not None and isinstance(column.type, JSON):
            problem = json_problem(value)
            if problem:
                raise InvalidInput(f"{label}{problem}")
