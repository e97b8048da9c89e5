from webapp.followups import views  # the views register on bp
from webapp.followups.blueprint import bp

__all__ = ["bp", "views"]
