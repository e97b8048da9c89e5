"""The accessibility statement (tillgänglighetsredogörelse) that DOS-lagen requires of a
public digital service: public, linked from every page's footer."""

from webapp.accessibility import views  # the views register on bp
from webapp.accessibility.blueprint import bp

__all__ = ["bp", "views"]
