"""The edge: every request's input checked before a view runs, security headers on every response.

A bad id, text that cannot be stored or JSON nested too deeply gets a 400 or 404 in Chinese here,
never a 500 from the database or the parser further down.
"""
from __future__ import annotations

from flask import Flask, request, session
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from review.errors import InvalidInput
from review.validation import MAX_ID, json_problem, parse_id, text_problem

# The pages load nothing from elsewhere and are never framed (the approve form must not be clickjacked).
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; "
                           "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
                           "frame-ancestors 'none'")


class IdConverter(IntegerConverter):
    """`<int:…>` in routes: an id beyond the integer column is no route (404), not a database error."""

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            # Raised here rather than ValidationError, which routing would report as 405 when the
            # same path exists for another method.
            raise NotFound()
        return number


class JSONProvider(DefaultJSONProvider):
    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            # Deeply nested JSON exhausts the parser's stack; to get_json it is just invalid JSON.
            raise ValueError("JSON nested too deeply") from None


def query_id(name: str) -> int | None:
    """An optional id in the query string: absent is None, anything but a valid id is a 400."""
    value = request.args.get(name, "").strip()
    if not value:
        return None
    number = parse_id(value)
    if number is None:
        raise InvalidInput(f"{name} 必须是 1 到 {MAX_ID} 之间的整数编号")
    return number


def _check_input() -> None:
    for source in (request.args, request.form):
        for key, value in source.items(multi=True):
            problem = text_problem(key) or text_problem(value)
            if problem:
                raise InvalidInput(f"参数 {key!r} {problem}")
    if request.is_json and request.content_length:
        data = request.get_json(silent=True)
        if data is None:
            raise InvalidInput("请求体不是合法的 JSON（或嵌套过深）")
        problem = json_problem(data)
        if problem:
            raise InvalidInput(f"请求体{problem}")


def _headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if "user_id" in session or request.headers.get("Authorization") or request.path.startswith("/api/"):
        # Pages and answers for a signed-in person are never kept by a browser or a proxy.
        headers["Cache-Control"] = "no-store"
        headers.setdefault("Pragma", "no-cache")
    return response


def init_app(app: Flask) -> None:
    """Call before registering blueprints: routes bind their converters when they are added."""
    app.url_map.converters["int"] = IdConverter
    app.json = JSONProvider(app)
    app.before_request(_check_input)
    app.after_request(_headers)
