"""Self-care goals: the care contact sets assessed measures and agreed goals from ready-made
templates, the patient sets her own; what is wrong is said in plain words and nothing is
half-saved; strangers get 404; staff reads are logged, staff changes leave change rows."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import count_queries, csrf_token, register_with_invitation
from tests.selfcare_rows import check_in_make, goal_make
from webapp.agreement import services as agreements
from webapp.audit import READ_ACTIONS, AccessLogEntry, Change, Read
from webapp.clock import now_utc
from webapp.demo import agreement_agreed_by_both
from webapp.extensions import db
from webapp.people import services as people
from webapp.people.models import Patient
from webapp.selfcare.goals import services as service
from webapp.selfcare.goals.validation import GoalError, GoalInput, LimitInput
from webapp.selfcare.models import GoalKind, GoalStatus, SelfCareGoal
from webapp.selfcare.schedule import local_zone
from webapp.whatmatters import services as whatmatters

WEIGHT = GoalInput(
    title="Väga mig varje morgon",
    measure="number",
    unit="kg",
    frequency="daily",
    reminder_times="08:00",
    kind="assessed",
    assessed_on="2026-11-02",
    review_on="2027-05-02",
    limits=(
        LimitInput(
            kind="rise",
            value="2",
            window_days="3",
            advice="Ring din vårdkontakt i dag. Om du har svårt att andas: ring 112.",
        ),
    ),
)
STEPS = GoalInput(title="Gå minst 3 000 steg", measure="number", unit="steps", target_min="3000")


def changes_of(patient: Patient) -> list[str]:
    return list(
        db.session.scalars(
            select(AccessLogEntry.action)
            .where(
                AccessLogEntry.patient_id == patient.id,
                AccessLogEntry.action.not_in(READ_ACTIONS),
                AccessLogEntry.action.like("%self_care%"),
            )
            .order_by(AccessLogEntry.id)
        )
    )


def refused(details: GoalInput, patient: Patient, actor) -> dict:
    with pytest.raises(GoalError) as caught:
        service.goal_create(patient=patient, details=details, actor=actor)
    db.session.rollback()
    return {name: str(message) for name, message in caught.value.errors.items()}


@pytest.fixture
def other_patient(nurse):
    return people.patient_create(
        created_by=nurse, name="Gunnar Ek", phone="070-444 55 66", personal_number=None
    )


# --- the services ------------------------------------------------------------------------


def test_the_care_contact_sets_an_assessed_measure_and_a_change_row_says_so(patient, nurse):
    goal = service.goal_create(patient=patient, details=WEIGHT, actor=nurse.user)
    db.session.commit()
    assert goal.kind == GoalKind.ASSESSED
    assert goal.assessed_by_staff_id == nurse.id and goal.agreed_by_staff_id == nurse.id
    assert goal.performer_name == ""  # the patient herself
    assert str(goal.review_on) == "2027-05-02"
    (limit,) = goal.limits
    assert (limit.kind, limit.value, limit.window_days) == ("rise", 2.0, 3)
    assert limit.advice.startswith("Ring din vårdkontakt i dag.")
    assert changes_of(patient) == [Change.SELF_CARE_GOAL_SET]


def test_a_named_relative_can_perform_it_and_must_be_named(patient, nurse):
    errors = refused(replace(WEIGHT, performer="relative"), patient, nurse.user)
    assert errors == {"performer_name": "Skriv namnet på den närstående som gör det."}
    goal = service.goal_create(
        patient=patient,
        details=replace(WEIGHT, performer="relative", performer_name="Eva (dotter)"),
        actor=nurse.user,
    )
    assert goal.performer_name == "Eva (dotter)"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"target_min": "900"}, "target_min", "Det värdet går inte att mäta"),
        ({"target_min": "sjuttio"}, "target_min", "Skriv ett tal"),
        ({"unit": ""}, "unit", "Välj en enhet"),
        ({"title": "  "}, "title", "Skriv vad målet är"),
        ({"frequency": "times_a_day", "times_per_day": "11"}, "times_per_day", "1 till 10"),
        ({"frequency": "weekdays", "weekdays": ()}, "weekdays", "Välj minst en veckodag"),
        ({"frequency": "weekdays", "weekdays": ("7",)}, "weekdays", "Välj minst en veckodag"),
        ({"frequency": "times_a_week", "times_per_week": "15"}, "times_per_week", "1 till 14"),
        ({"reminder_times": "08:00, 25:00"}, "reminder_times", "”25:00” går inte att läsa"),
        ({"assessed_on": ""}, "assessed_on", "Skriv när det bedömdes"),
        ({"review_on": "2026-10-01"}, "review_on", "måste komma efter bedömningen"),
        ({"assessed_on": "2099-01-01", "review_on": "2099-06-01"}, "assessed_on", "framtiden"),
    ],
)
def test_bad_goal_input_is_refused_with_a_clear_message(patient, nurse, change, field, words):
    errors = refused(replace(WEIGHT, **change), patient, nurse.user)
    assert words in errors[field], errors
    assert db.session.scalar(select(func.count()).select_from(SelfCareGoal)) == 0
    assert changes_of(patient) == []


@pytest.mark.parametrize(
    ("target", "limit", "words"),
    [
        # "A limit below the target floor": steps at least 3000, alarm below 5000.
        ({"target_min": "3000"}, LimitInput("below", "5000", advice="Ring."), "under målets golv"),
        ({"target_max": "3"}, LimitInput("above", "2", advice="Ring."), "över målet"),
        ({}, LimitInput("rise", "2", window_days="", advice="Ring."), "på hur många dagar"),
        ({}, LimitInput("rise", "2", window_days="31", advice="Ring."), "1 till 30"),
        ({}, LimitInput("fall", "0", window_days="3", advice="Ring."), "mer än 0"),
        ({}, LimitInput("above", "9000", advice="Ring."), "Det värdet går inte att mäta"),
        ({}, LimitInput("above", "180", advice=""), "Skriv vad patienten ska göra"),
        ({}, LimitInput("somewhere", "1", advice="Ring."), "Välj vilken sorts gräns"),
    ],
)
def test_limits_that_make_no_sense_are_refused(patient, nurse, target, limit, words):
    unit = "steps" if "target_min" in target else "kg"
    measure = "scale_0_10" if "target_max" in target else "number"
    details = replace(WEIGHT, unit=unit, measure=measure, limits=(limit,), **target)
    errors = refused(details, patient, nurse.user)
    assert any(
        words in message for name, message in errors.items() if name.startswith("limits-0-")
    ), errors


def test_a_below_limit_must_be_lower_than_an_above_limit(patient, nurse):
    details = replace(
        WEIGHT,
        limits=(
            LimitInput("above", "80", advice="Ring."),
            LimitInput("below", "90", advice="Ring."),
        ),
    )
    errors = refused(details, patient, nurse.user)
    assert errors == {"limits-1-value": "Den undre gränsen måste vara lägre än den övre."}


def test_done_or_not_done_has_no_limits_and_no_target(patient, nurse):
    details = replace(
        WEIGHT, measure="done", target_min="3", limits=(LimitInput("above", "1", advice="x"),)
    )
    errors = refused(details, patient, nurse.user)
    assert "bara att skriva för ett tal eller en skala" in errors["target_min"]
    assert "inga gränser" in errors["limits-0-kind"]


def test_blood_pressure_limits_read_the_upper_or_the_lower_value(patient, nurse):
    goal = service.goal_create(
        patient=patient,
        details=replace(
            WEIGHT,
            measure="blood_pressure",
            limits=(
                LimitInput("above", "180", advice="Vila och mät igen."),
                LimitInput("above", "110", value_index="2", advice="Vila och mät igen."),
            ),
        ),
        actor=nurse.user,
    )
    assert [(lim.value, lim.value_index) for lim in goal.limits] == [(180.0, 1), (110.0, 2)]
    errors = refused(
        replace(
            WEIGHT, measure="blood_pressure", limits=(LimitInput("above", "250", "2", advice="x"),)
        ),
        patient,
        nurse.user,
    )
    assert "mellan 30 och 200" in errors["limits-0-value"]


def test_links_go_only_to_this_patients_own_agreement_and_what_matters(
    patient, nurse, other_patient
):
    theirs = whatmatters.whatmatters_add(
        patient=other_patient, text="Fiska.", actor=other_patient.user
    )
    agreement_agreed_by_both(
        patient=other_patient,
        care=nurse.user,
        items=[agreements.ItemInput(kind="action", text="Väga sig.")],
    )
    their_item = agreements.for_overview(other_patient).shown.items[0]
    errors = refused(
        replace(WEIGHT, what_matters_id=theirs.id, agreement_item_id=their_item.id),
        patient,
        nurse.user,
    )
    assert errors["what_matters_id"] == "Välj något som patienten själv har skrivit."
    assert errors["agreement_item_id"] == "Välj en punkt ur patientens egen överenskommelse."
    mine = whatmatters.whatmatters_add(patient=patient, text="Gå till affären.", actor=patient.user)
    goal = service.goal_create(
        patient=patient, details=replace(WEIGHT, what_matters_id=mine.id), actor=nurse.user
    )
    assert goal.what_matters_id == mine.id


def test_a_save_that_changes_nothing_writes_nothing(patient, nurse):
    goal = service.goal_create(patient=patient, details=WEIGHT, actor=nurse.user)
    db.session.commit()
    same = service.goal_update(
        patient=patient, goal_id=goal.id, details=WEIGHT, expected_lock=1, actor=nurse.user
    )
    db.session.commit()
    assert same.lock_version == 1
    assert changes_of(patient) == [Change.SELF_CARE_GOAL_SET]
    changed = service.goal_update(
        patient=patient,
        goal_id=goal.id,
        details=replace(WEIGHT, reminder_times="07:30"),
        expected_lock=1,
        actor=nurse.user,
    )
    db.session.commit()
    assert changed.lock_version == 2 and changed.reminder_times == "07:30"
    assert changes_of(patient) == [Change.SELF_CARE_GOAL_SET, Change.SELF_CARE_GOAL_CHANGED]


def test_a_save_from_an_old_form_is_told_and_saves_nothing(patient, nurse, physician):
    goal = service.goal_create(patient=patient, details=WEIGHT, actor=nurse.user)
    service.goal_update(
        patient=patient,
        goal_id=goal.id,
        details=replace(WEIGHT, title="Väga mig"),
        expected_lock=1,
        actor=physician.user,
    )
    db.session.commit()
    with pytest.raises(service.GoalConflict):
        service.goal_update(
            patient=patient,
            goal_id=goal.id,
            details=replace(WEIGHT, title="Något annat"),
            expected_lock=1,
            actor=nurse.user,
        )
    db.session.rollback()
    assert db.session.get(SelfCareGoal, goal.id).title == "Väga mig"


def test_the_patient_sets_changes_and_ends_her_own_goal_without_change_rows(patient):
    goal = service.goal_create(patient=patient, details=STEPS, actor=patient.user)
    assert goal.kind == GoalKind.OWN and goal.agreed_by_staff_id is None
    service.goal_update(
        patient=patient,
        goal_id=goal.id,
        details=replace(STEPS, target_min="4000"),
        expected_lock=1,
        actor=patient.user,
    )
    service.goal_archive(patient=patient, goal_id=goal.id, expected_lock=2, actor=patient.user)
    db.session.commit()
    assert goal.status == GoalStatus.ARCHIVED and goal.target_min == 4000
    assert changes_of(patient) == []


def test_the_patient_cannot_change_what_was_agreed_with_care_nor_care_hers(patient, nurse):
    agreed = service.goal_create(patient=patient, details=WEIGHT, actor=nurse.user)
    hers = service.goal_create(patient=patient, details=STEPS, actor=patient.user)
    with pytest.raises(service.GoalNotYours):
        service.goal_archive(
            patient=patient, goal_id=agreed.id, expected_lock=1, actor=patient.user
        )
    with pytest.raises(GoalError, match="Bara patienten ändrar det"):
        service.goal_archive(patient=patient, goal_id=hers.id, expected_lock=1, actor=nurse.user)


def test_care_ends_a_goal_with_a_change_row(patient, nurse):
    goal = service.goal_create(patient=patient, details=WEIGHT, actor=nurse.user)
    service.goal_archive(patient=patient, goal_id=goal.id, expected_lock=1, actor=nurse.user)
    db.session.commit()
    assert changes_of(patient) == [Change.SELF_CARE_GOAL_SET, Change.SELF_CARE_GOAL_ARCHIVED]
    with pytest.raises(GoalError, match="redan avslutat"):
        service.goal_archive(patient=patient, goal_id=goal.id, expected_lock=2, actor=nurse.user)


# --- the care contact's pages ------------------------------------------------------------


def _form_fields(html: str) -> dict[str, str]:
    """What a browser would send: inputs, checked choices, selected options, text areas."""
    fields: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name:
            continue
        if 'type="radio"' in tag or 'type="checkbox"' in tag:
            if "checked" in tag:
                fields[name.group(1)] = value.group(1) if value else ""
        else:
            fields[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        fields[name] = body.strip()
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option (?:selected )?value="([^"]*)"(?: selected)?[^>]*>', body)
        picked = re.search(r"<option[^>]*\bselected\b[^>]*>", body)
        source = picked.group(0) if picked else (chosen.group(0) if chosen else "")
        found = re.search(r'value="([^"]*)"', source)
        fields[name] = found.group(1) if found else ""
    return {k: v.replace("&amp;", "&") for k, v in fields.items()}


def test_the_nurse_starts_from_the_weight_template_and_the_patient_sees_it(
    patient, nurse_client, patient_client
):
    page = f"/egenvard/patient/{patient.id}"
    listing = nurse_client.get(page).get_data(as_text=True)
    assert "Vikt vid hjärtsvikt" in listing and "Hemövningar" in listing
    form_page = f"{page}/nytt?mall=vikt-hjartsvikt"
    html = nurse_client.get(form_page).get_data(as_text=True)
    fields = _form_fields(html)
    assert fields["title"] == "Väga mig varje morgon"
    assert fields["unit"] == "kg" and fields["limits-0-kind"] == "rise"
    assert fields["limits-0-window_days"] == "3"
    assert "Om du har svårt att andas: ring 112." in fields["limits-0-advice"]
    fields["review_on"] = "2099-01-01"  # not within three years of today
    response = nurse_client.post(f"{page}/nytt", data=fields)
    assert response.status_code == 400
    assert "Följ upp inom tre år" in response.get_data(as_text=True)
    assert 'value="Väga mig varje morgon"' in response.get_data(as_text=True)  # kept
    fields["review_on"] = (now_utc() + timedelta(days=180)).date().isoformat()
    response = nurse_client.post(f"{page}/nytt", data=fields)
    assert response.status_code == 303, response.get_data(as_text=True)
    listing = nurse_client.get(page).get_data(as_text=True)
    assert "Väga mig varje morgon" in listing
    assert "Ökar mer än 2 kg på 3 dagar" in listing
    today = patient_client.get("/egenvard/").get_data(as_text=True)
    assert "Egenvård som vården har bedömt" in today and "Väga mig varje morgon" in today
    assert "Bedömd av Karin Lind" in today


def test_a_limit_typed_wrong_is_shown_at_its_own_field_with_what_was_typed(patient, nurse_client):
    page = f"/egenvard/patient/{patient.id}/nytt"
    fields = _form_fields(nurse_client.get(f"{page}?mall=steg").get_data(as_text=True))
    fields.update(
        {"limits-0-kind": "below", "limits-0-value": "5000", "limits-0-advice": "Ring mig"}
    )
    response = nurse_client.post(page, data=fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="limits-0-value-error-1"' in html and "under målets golv (3000)" in html
    assert 'href="#limits-0-value"' in html  # the summary leads to it
    assert db.session.scalar(select(func.count()).select_from(SelfCareGoal)) == 0


def test_staff_reads_of_self_care_are_logged_once_per_page(patient, nurse, nurse_client):
    goal_make(patient)
    before = db.session.scalar(select(func.count()).select_from(AccessLogEntry))
    assert nurse_client.get(f"/egenvard/patient/{patient.id}").status_code == 200
    rows = db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id)).all()[before:]
    assert [(row.action, row.actor_user_id) for row in rows] == [(Read.SELF_CARE, nurse.user_id)]


def test_strangers_get_404_on_the_care_pages(app, patient, other_unit_nurse, other_patient):
    goal = goal_make(patient)
    pages = (
        f"/egenvard/patient/{patient.id}",
        f"/egenvard/patient/{patient.id}/nytt",
        f"/egenvard/patient/{patient.id}/{goal.id}",
    )
    for user in (other_unit_nurse.user, other_patient.user, patient.user):
        client = app.test_client()
        register_with_invitation(client, user)
        for path in pages:
            assert client.get(path).status_code == 404, (user.name, path)
    # Another patient's goal under this patient's id is no goal at all.
    theirs = goal_make(other_patient)
    assert app.test_client().get(f"/egenvard/{goal.id}/andra").status_code in (302, 404)
    client = app.test_client()
    register_with_invitation(client, other_patient.user)
    assert client.get(f"/egenvard/{goal.id}/andra").status_code == 404
    assert client.get(f"/egenvard/{theirs.id}/andra").status_code == 404  # agreed with care


def test_a_colleague_reads_but_does_not_change(app, patient, unit):
    colleague = people.staff_create(unit=unit, name="Lena Kollega", title="Undersköterska")
    goal = goal_make(patient)
    client = app.test_client()
    register_with_invitation(client, colleague.user)
    html = client.get(f"/egenvard/patient/{patient.id}").get_data(as_text=True)
    assert "Väga mig varje morgon" in html and "Vikt vid hjärtsvikt" not in html
    assert client.get(f"/egenvard/patient/{patient.id}/{goal.id}").status_code == 404


# --- the patient's pages -----------------------------------------------------------------


def test_the_patient_sets_her_own_goal_and_a_wrong_number_keeps_what_she_typed(
    patient, patient_client
):
    page = "/egenvard/mal/nytt"
    token = csrf_token(patient_client, page)
    data = {
        "csrf_token": token,
        "title": "Promenera varje dag",
        "measure": "number",
        "unit": "steps",
        "target_min": "tre tusen",
        "frequency": "daily",
        "reminder_times": "18:00",
    }
    response = patient_client.post(page, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Skriv ett tal" in html and 'value="tre tusen"' in html
    response = patient_client.post(page, data={**data, "target_min": "3 000"})
    assert response.status_code == 303
    today = patient_client.get("/egenvard/").get_data(as_text=True)
    assert "Mina egna mål" in today and "Promenera varje dag" in today
    assert "Egenvård som vården har bedömt" not in today  # nothing assessed: no empty heading
    goal = db.session.scalar(select(SelfCareGoal))
    assert goal.target_min == 3000 and goal.kind == GoalKind.OWN
    edit = f"/egenvard/{goal.id}/andra"
    assert "Avsluta målet" in patient_client.get(edit).get_data(as_text=True)
    response = patient_client.post(
        f"/egenvard/{goal.id}/avsluta", data={"csrf_token": token, "lock_version": "1"}
    )
    assert response.status_code == 303
    assert "Promenera varje dag" not in patient_client.get("/egenvard/").get_data(as_text=True)


@pytest.fixture
def afternoon(clock):
    """15:00 today where the patient lives (set before anyone signs in)."""
    day = now_utc().astimezone(local_zone()).date()
    clock.now = datetime(day.year, day.month, day.day, 15, 0, tzinfo=local_zone())
    return clock


def test_today_shows_done_and_left_with_the_same_queries_for_any_history(
    afternoon, patient, nurse, patient_client
):
    now = afternoon.now
    weight = goal_make(patient, kind=GoalKind.ASSESSED, assessed_by_staff_id=nurse.id)
    exercises = goal_make(
        patient,
        title="Hemövningar",
        kind=GoalKind.ASSESSED,
        measure="done",
        unit="",
        frequency="times_a_day",
        times_per_day=3,
        reminder_times="09:00,13:00,18:00",
    )
    goal_make(patient, title="Gå minst 3 000 steg", unit="steps", agreed_by_staff_id=None)
    check_in_make(weight, now - timedelta(hours=6), value=72.4)
    check_in_make(exercises, now - timedelta(hours=5), done=True)
    check_in_make(exercises, now - timedelta(hours=4), done=False)  # "not done" is not done

    def looked() -> tuple[str, int]:
        db.session.remove()
        with count_queries() as statements:
            html = patient_client.get("/egenvard/").get_data(as_text=True)
        return html, len(statements)

    weight_id, exercises_id = weight.id, exercises.id
    html, few = looked()
    assert "I dag: 1 av 3 klart" in html
    assert "Gjort i dag" in html and "1 av 3 gjort i dag" in html
    assert "Inte gjort i dag ännu" in html
    assert html.index("Egenvård som vården har bedömt") < html.index("Mina egna mål")
    assert html.count("Dags nu") == 1  # the exercises: two reminder times passed, one done
    for days in range(1, 60):
        for goal_id, values in ((weight_id, {"value": 72.0}), (exercises_id, {"done": True})):
            check_in_make(
                db.session.get(SelfCareGoal, goal_id), now - timedelta(days=days), **values
            )
    _html, many = looked()
    assert many == few


def test_another_patients_goal_is_not_on_her_page(patient, other_patient, patient_client):
    goal_make(other_patient, title="Någon annans mål")
    assert "Någon annans mål" not in patient_client.get("/egenvard/").get_data(as_text=True)
