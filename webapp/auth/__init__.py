from webapp.auth import views  # the views register on bp
from webapp.auth.blueprint import bp

__all__ = ["bp", "views"]
