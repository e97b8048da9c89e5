"""The accessibility statement (tillgänglighetsredogörelse) that DOS-lagen requires of a
public digital service: public, linked from every page's footer."""

from flask import Blueprint

bp = Blueprint("accessibility", __name__)

from webapp.accessibility import views  # noqa: E402,F401
