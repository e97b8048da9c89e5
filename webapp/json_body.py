"""Reading a request's JSON body without a way to crash on it.

Python's JSON decoder recurses once per level of nesting: a body of 5,000 nested arrays,
a few kilobytes that anyone can send without signing in, raises RecursionError, which no
`get_json(silent=True)` catches (it catches ValueError only). Here such a body is what it
is, a request we cannot read: 400 with the usual message, as JSON to a JSON caller.
"""

from __future__ import annotations

from typing import Any

from flask import Request
from werkzeug.exceptions import BadRequest


class JsonSafeRequest(Request):
    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        try:
            return super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            raise BadRequest("the JSON body is nested too deeply") from None
