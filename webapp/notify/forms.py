from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField

from webapp.forms import AppForm, SelectChoice, strip

TIME_INPUT = {"type": "time", "inputmode": "numeric"}


class DeviceNameForm(AppForm):
    name = StringField(_l("Namn på telefonen eller datorn"), filters=[strip])


class SettingsForm(AppForm):
    day_before = BooleanField(_l("Påminn mig dagen före"))
    day_before_at = StringField(_l("Klockan, dagen före"), filters=[strip], render_kw=TIME_INPUT)
    hours_before = SelectField(
        _l("Påminn mig samma dag"),
        choices=[
            SelectChoice("0", _l("Nej, ingen påminnelse samma dag")),
            SelectChoice("1", _l("1 timme före")),
            SelectChoice("2", _l("2 timmar före")),
            SelectChoice("3", _l("3 timmar före")),
            SelectChoice("4", _l("4 timmar före")),
        ],
        validate_choice=False,  # the service says what is wrong, in the same way as the rest
    )
    quiet_from = StringField(_l("Tyst från klockan"), filters=[strip], render_kw=TIME_INPUT)
    quiet_until = StringField(_l("Tyst till klockan"), filters=[strip], render_kw=TIME_INPUT)
    paused = BooleanField(_l("Pausa alla påminnelser"))
    cannot_come_alerts = BooleanField(
        _l("Skicka en push när en av mina patienter svarar ”Jag kan inte komma”")
    )
    flagged_update_alerts = BooleanField(
        _l(
            "Skicka en push när en av mina patienter skickar en uppdatering utanför en "
            "överenskommen gräns"
        )
    )
