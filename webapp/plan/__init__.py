from webapp.plan import calling, freshness, views  # the views register on bp
from webapp.plan.blueprint import bp

__all__ = ["bp", "calling", "freshness", "views"]
