from webapp.whatmatters import views  # the views register on bp
from webapp.whatmatters.blueprint import bp

__all__ = ["bp", "views"]
