from webapp.agreement import views  # the views register on bp
from webapp.agreement.blueprint import bp

__all__ = ["bp", "views"]
