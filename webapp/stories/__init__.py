"""Stories ("Berätta hur det är för dig"): the patient's own words about how care feels, for
her care contact, and with her consent for her unit's improvement work, without her name."""

from webapp.stories import views  # the views register on bp
from webapp.stories.blueprint import bp

__all__ = ["bp", "views"]
