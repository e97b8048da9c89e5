"""URL converters shared by every blueprint."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

# Ids are INTEGER columns (32 bits on PostgreSQL). A bigger number in a URL is no id, so the
# route does not match and the answer is 404, instead of an overflow in the database driver.
ID_MAX = 2**31 - 1


class IdConverter(IntegerConverter):
    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", ID_MAX)
        super().__init__(url_map, *args, **kwargs)


def id_arg(value: str) -> int:
    """For `request.args.get(name, type=id_arg)`: a number that can be an id or a version
    number, as IdConverter allows in a path. Anything else (a number too big for the database,
    a sign, a letter) raises ValueError, so Flask treats the argument as not given."""
    if not value.isascii() or not value.isdigit() or int(value) > ID_MAX:
        raise ValueError(value)
    return int(value)
