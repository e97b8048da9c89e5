from webapp.careteam import views  # the views register on bp
from webapp.careteam.blueprint import bp

__all__ = ["bp", "views"]
