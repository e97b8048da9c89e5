from flask import Blueprint

bp = Blueprint("relatives", __name__, url_prefix="/narstaende")

from webapp.relatives import care_views, helper_views, views  # noqa: E402,F401


@bp.app_context_processor
def _acting_for_templates() -> dict[str, object]:
    from webapp.access import acting_grant, viewer_may
    from webapp.relatives.forms import SCOPE_WORDS

    def relative_scope_words(scope: str) -> str:
        return str(SCOPE_WORDS.get(scope, scope))  # type: ignore[call-overload]

    return {
        "acting_grant": acting_grant,
        "viewer_may": viewer_may,
        "relative_scope_words": relative_scope_words,
    }
