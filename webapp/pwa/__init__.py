from webapp.pwa import offline, views  # the views register on bp
from webapp.pwa.blueprint import bp

__all__ = ["bp", "offline", "views"]
