from flask import Blueprint

bp = Blueprint("relatives", __name__, url_prefix="/narstaende")

from webapp.relatives import care_views, helper_views, views  # noqa: E402,F401


# Globals, not a context processor: the macros templates import see them too.
@bp.app_template_global("acting_grant")
def _acting_grant() -> object:
    from webapp.access import acting_grant

    return acting_grant()


@bp.app_template_global("viewer_may")
def _viewer_may(action: str) -> bool:
    from webapp.access import viewer_may

    return viewer_may(action)


@bp.app_template_global("relative_scope_words")
def _relative_scope_words(scope: str) -> str:
    from webapp.relatives.forms import SCOPE_WORDS

    return str(SCOPE_WORDS.get(scope, scope))  # type: ignore[call-overload]
