from webapp.care import views  # the views register on bp
from webapp.care.blueprint import bp

__all__ = ["bp", "views"]
