from webapp.auth.passkeys import views  # the views register on bp
from webapp.auth.passkeys.blueprint import bp

__all__ = ["bp", "views"]
