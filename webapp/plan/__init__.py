from webapp.plan import freshness, views  # the views register on bp
from webapp.plan.blueprint import bp

__all__ = ["bp", "freshness", "views"]
