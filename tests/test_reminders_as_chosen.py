"""Reminders as the person chose them: the first save of the settings can turn the day-before
reminder off, staff alerts keep to a pause and to quiet hours, and a reminder that falls in
quiet hours still comes when they end if the visit is still ahead. On SQLite and PostgreSQL
(the settings row's first insert is where a column default used to win)."""

from __future__ import annotations

import re
from datetime import time

import pytest
from sqlalchemy import select

from tests.conftest import committed, csrf_token
from tests.test_reminders import FROZEN_NOW, STOCKHOLM, at, book, device, local, queued
from webapp.extensions import db
from webapp.followups import services as followups
from webapp.notify import services as notify
from webapp.notify.models import ReminderKind, ReminderSettings
from webapp.notify.schedule import Timing, follow_up_times

SETTINGS = "/paminnelser/installningar"


@pytest.fixture
def frozen(clock):
    clock.now = FROZEN_NOW
    return FROZEN_NOW


def test_booked_at_0810_for_1000_with_quiet_hours_until_0940_comes_at_0940():
    """Two hours before is 08:00, inside the quiet hours; the evening before is past. The
    patient still wants a reminder, at the end of the quiet hours, 20 minutes before."""
    quiet_late = Timing(
        zone=STOCKHOLM, day_before_at=None, quiet_from=time(21, 0), quiet_until=time(9, 40)
    )
    (hours,) = follow_up_times(at("2027-01-12", "10:00"), quiet_late, at("2027-01-12", "08:10"))
    assert local(hours.due_at) == "2027-01-12 09:40"
    # Booked the week before, the evening before (before the quiet hours) is still better.
    (hours,) = follow_up_times(at("2027-01-12", "10:00"), quiet_late, at("2027-01-05", "08:10"))
    assert local(hours.due_at) == "2027-01-11 20:45"
    # A visit inside the quiet hours that began before they end gets no reminder in them.
    early = follow_up_times(at("2027-01-12", "09:30"), quiet_late, at("2027-01-12", "08:10"))
    assert early == []


def save_settings(client, **changes: str):
    form = {
        "csrf_token": csrf_token(client, SETTINGS),
        "day_before_at": "18:00",
        "hours_before": "2",
        "quiet_from": "21:00",
        "quiet_until": "08:00",
        **changes,
    }
    return client.post(SETTINGS, data={k: v for k, v in form.items() if v is not None})


def test_the_first_save_of_the_settings_turns_the_day_before_reminder_off(
    frozen, patient_client, patient, nurse
):
    device(patient.user)
    response = save_settings(patient_client)  # "Påminn mig dagen före" left unticked
    assert response.status_code == 303
    saved = db.session.scalar(
        select(ReminderSettings).where(ReminderSettings.user_id == patient.user.id)
    )
    assert saved.day_before_at is None and saved.hours_before == 2
    committed(book(patient, nurse, "2026-12-08"))
    assert [r.dedupe_key.split(":")[2] for r in queued(patient.user)] == ["hours"]
    page = patient_client.get(SETTINGS).get_data(as_text=True)
    box = re.search(r'<input[^>]*name="day_before"[^>]*>', page).group(0)
    assert "checked" not in box  # the page shows what was saved


def staff_settings(nurse, *, paused: bool = False, quiet: tuple[str, str] = ("21:00", "08:00")):
    committed(
        notify.settings_save(
            user=nurse.user,
            values=notify.SettingsInput(
                day_before=False,
                day_before_at="",
                hours_before="",
                quiet_from=quiet[0],
                quiet_until=quiet[1],
                paused=paused,
                cannot_come_alerts=True,
                flagged_update_alerts=True,
            ),
        )
    )


def cannot_come(patient, nurse, day: str) -> None:
    follow_up = committed(book(patient, nurse, day))
    committed(
        followups.follow_up_cannot_come(patient=patient, follow_up_id=follow_up.id, reason="Sjuk.")
    )


def test_a_staff_alert_waits_while_reminders_are_paused(frozen, app, patient, nurse):
    device(nurse.user, "Jobbtelefonen")
    staff_settings(nurse, paused=True)
    cannot_come(patient, nurse, "2026-12-08")
    assert queued(nurse.user) == []  # paused: no push; the worklist still shows the answer


def test_a_staff_alert_inside_quiet_hours_comes_when_they_end(frozen, clock, patient, nurse):
    device(nurse.user, "Jobbtelefonen")
    staff_settings(nurse, quiet=("21:00", "07:30"))
    clock.now = at("2026-12-01", "22:15")
    cannot_come(patient, nurse, "2026-12-08")
    (alert,) = queued(nurse.user)
    assert alert.kind == ReminderKind.CANNOT_COME
    assert local(alert.due_at) == "2026-12-02 07:30"
    assert alert.expires_at > alert.due_at  # still of use when it comes
