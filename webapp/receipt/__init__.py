from webapp.receipt import views  # the views register on bp
from webapp.receipt.blueprint import bp

__all__ = ["bp", "views"]
