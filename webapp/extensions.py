"""Flask extensions, created unbound; create_app() binds them to an app."""

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from webapp.db import Base

db = SQLAlchemy(model_class=Base)

# The base class of every model. At run time it is `db.Model`: `Base` remade by
# Flask-SQLAlchemy with its mixins. That class exists only once `db` is made, so a type
# checker cannot subclass it; it sees `Base`, whose mapping the models rely on.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
