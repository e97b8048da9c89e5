"""What every page's template asks about the viewer: whom they act for, what they may do.

Globals, not a context processor: the macros a template imports see them too.
"""

from __future__ import annotations

from webapp.access import viewer_may
from webapp.relatives.acting import acting_grant
from webapp.relatives.blueprint import bp
from webapp.relatives.forms import SCOPE_WORDS


@bp.app_template_global("acting_grant")
def _acting_grant() -> object:
    return acting_grant()


@bp.app_template_global("viewer_may")
def _viewer_may(action: str) -> bool:
    return viewer_may(action)


@bp.app_template_global("relative_scope_words")
def _relative_scope_words(scope: str) -> str:
    return str(SCOPE_WORDS.get(scope, scope))  # type: ignore[call-overload]
