"""In a real browser: the care contact's list opens on "Mina patienter" with a patient's
"kan inte komma" beside her name, first; the patient's page uses a laptop's width."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.conftest import app_work, create_care_team, create_patient
from webapp.extensions import db
from webapp.followups import services as followups
from webapp.followups.details import FollowUpInput
from webapp.people.models import Patient, StaffMember

STOCKHOLM = ZoneInfo("Europe/Stockholm")
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _book(patient_id: int, nurse_id: int, days: int) -> int:
    patient = db.session.get(Patient, patient_id)
    nurse = db.session.get(StaffMember, nurse_id)
    assert patient is not None and nurse is not None
    day = (datetime.now(UTC).astimezone(STOCKHOLM) + timedelta(days=days)).date()
    details = FollowUpInput(
        date=day.isoformat(),
        time="10:00",
        duration_minutes="30",
        kind="visit",
        with_whom=nurse.user.name,
        place="Vårdcentralen",
        purpose="Hur går det?",
        preparation="",
    )
    return followups.follow_up_book(patient=patient, details=details, actor=nurse.user).id


def test_worklist_shows_cannot_come_beside_the_name_first(page, live_server, sign_in_as, axe_check):
    team = create_care_team(live_server)
    calm = create_patient(live_server, team, name="Olof Ahl")
    elsa = create_patient(live_server, team, name="Elsa Nyström")
    with app_work(live_server.app):
        _book(calm.patient_id, team.nurse_staff_id, 2)
        booked = _book(elsa.patient_id, team.nurse_staff_id, 9)
        patient = db.session.get(Patient, elsa.patient_id)
        assert patient is not None
        followups.follow_up_cannot_come(patient=patient, follow_up_id=booked, reason="Sjuk")

    sign_in_as(page, live_server, team.nurse_user_id)
    page.goto(f"{live_server.url}/vard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mina patienter")
    rows = page.locator(".worklist > li")
    expect(rows).to_have_count(2)
    # Elsa, who cannot come, before Olof, whose contact is sooner but needs nothing of her.
    expect(rows.first.get_by_role("link", name="Elsa Nyström")).to_be_visible()
    cannot = rows.first.get_by_role("link", name="Kan inte komma", exact=False)
    expect(cannot).to_be_visible()
    expect(rows.nth(1)).to_contain_text("Olof Ahl")
    expect(rows.nth(1)).to_contain_text("Nästa kontakt:")
    assert cannot.bounding_box()["height"] >= 44
    axe_check(page)
    # On the smallest phone with double text it still fits, its buttons still big enough.
    from tests.browser.test_layout_browser import DOUBLE_TEXT, NARROW, SMALL_TARGETS, assert_fits

    page.set_viewport_size(NARROW)
    page.evaluate(DOUBLE_TEXT)
    assert_fits(page)
    assert page.evaluate(SMALL_TARGETS) == []
    assert cannot.bounding_box()["height"] >= 44

    # Her patient's page: on a laptop the details sit beside the plan; on a phone above it,
    # and the sign-in link after it.
    rows.first.get_by_role("link", name="Elsa Nyström").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Elsa Nyström")
    side, plan = page.locator(".care-patient-facts"), page.locator(".care-patient-plan")
    link = page.locator(".care-patient-link")
    page.set_viewport_size(LAPTOP)
    side_box, plan_box = side.bounding_box(), plan.bounding_box()
    assert side_box["x"] >= plan_box["x"] + plan_box["width"], (side_box, plan_box)
    assert link.bounding_box()["x"] == side_box["x"]
    assert plan_box["width"] > 640  # wider than the phone-sized page it had
    axe_check(page)
    page.set_viewport_size(PHONE)
    side_box, plan_box = side.bounding_box(), plan.bounding_box()
    assert side_box["y"] + side_box["height"] <= plan_box["y"], (side_box, plan_box)
    assert plan_box["y"] + plan_box["height"] <= link.bounding_box()["y"]
