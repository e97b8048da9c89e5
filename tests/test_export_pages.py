"""The patient's own copy through the web: only she gets it (everyone else 404), it is
rate limited, free text survives exactly; and the care contact's "Text till journalen"."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.conftest import (
    fresh_database,
    make_config,
    per_request_sessions,
    register_with_invitation,
)
from tests.export_helpers import EXPORT, WHOLE, of_type, unresolved, validated, visible_text
from tests.test_agreement import GOAL, WALK, WORSE, item, make_agreed, make_draft
from webapp import create_app
from webapp.audit import AccessLogEntry
from webapp.demo import demo_plan_load
from webapp.extensions import db
from webapp.people import services as people
from webapp.receipt import services as receipt
from webapp.selfcare.updates import services as updates
from webapp.whatmatters import services as whatmatters

# Quotes, angle brackets, an ampersand, emoji and right-to-left marks, as a patient may type.
ODD = "Att \"fika\" <b>med</b> Eva & Åke 🙂 \u200fשלום\u200f 'x'"

OWN_PAGES = ("/min-plan/ladda-ner", EXPORT, WHOLE)


def test_the_patient_downloads_her_whole_plan_as_fhir(patient_client, patient, nurse):
    demo_plan_load(patient=patient, nurse=nurse)
    db.session.commit()
    response = patient_client.get(EXPORT)
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="nara-min-plan-'
    )
    assert response.headers["Cache-Control"] == "no-store"
    bundle = json.loads(response.get_data(as_text=True))
    validated(bundle)
    assert unresolved(bundle) == []
    assert len(of_type(bundle, "Observation")) > 40


def test_settings_lead_the_patient_to_her_copy(patient_client):
    page = patient_client.get("/installningar").get_data(as_text=True)
    assert 'href="/min-plan/ladda-ner"' in page
    download = patient_client.get("/min-plan/ladda-ner").get_data(as_text=True)
    assert f'href="{WHOLE}"' in download and f'href="{EXPORT}"' in download


@pytest.mark.parametrize("path", OWN_PAGES)
def test_nobody_but_the_patient_gets_her_copy(
    path, app, patient, nurse, nurse_client, other_unit_nurse
):
    demo_plan_load(patient=patient, nurse=nurse)
    db.session.commit()
    # Her fixed care contact (and unit administrator) gets nothing.
    assert nurse_client.get(path).status_code == 404
    # Staff of another unit neither.
    stranger = app.test_client()
    register_with_invitation(stranger, other_unit_nurse.user)
    assert stranger.get(path).status_code == 404
    # Another patient gets only his own, empty plan.
    gunnar = people.patient_create(
        created_by=nurse, name="Gunnar Ek", phone="070-222 33 44", personal_number=None
    )
    db.session.commit()
    other = app.test_client()
    register_with_invitation(other, gunnar.user)
    response = other.get(path)
    assert response.status_code == 200
    assert "Astrid" not in response.get_data(as_text=True)


def test_signed_out_the_copy_is_not_given(client, patient):
    for path in OWN_PAGES:
        response = client.get(path)
        assert response.status_code in (302, 303, 404)
        assert "Astrid" not in response.get_data(as_text=True)


def test_free_text_survives_the_round_trip_exactly(patient_client, patient, nurse):
    whatmatters.whatmatters_add(patient=patient, text=ODD, actor=patient.user)
    make_agreed(
        patient,
        nurse,
        items=[item(kind="goal", text=ODD), item(text=WALK)],
        texts={"when_worse_text": ODD},
    )
    updates.update_send(patient=patient, actor=patient.user, feeling="same", text=ODD)
    receipt.receipt_answer_save(
        patient=patient,
        side="patient",
        question=3,
        answer="partly",
        comment=ODD,
        by_user=patient.user,
    )
    db.session.commit()
    raw = patient_client.get(EXPORT).get_data(as_text=True)
    bundle = json.loads(raw)
    validated(bundle)
    texts = json.dumps(bundle, ensure_ascii=False)
    assert texts.count(json.dumps(ODD, ensure_ascii=False)) >= 5
    [statement] = [
        g
        for g in of_type(bundle, "Goal")
        if g["description"]["text"] == ODD and g["category"][0]["text"] == "Vad är viktigt för dig?"
    ]
    [update] = of_type(bundle, "Communication")
    assert update["payload"] == [{"contentString": ODD}]
    [answers] = of_type(bundle, "QuestionnaireResponse")
    assert answers["item"][0]["answer"][0]["item"][0]["answer"] == [{"valueString": ODD}]
    # On the readable page the same text is escaped, never markup.
    page = patient_client.get(WHOLE).get_data(as_text=True)
    assert "<b>med</b>" not in page
    assert "&lt;b&gt;med&lt;/b&gt;" in page and "🙂" in page and "\u200fשלום\u200f" in page


def test_the_readable_copy_has_everything_in_plain_words(patient_client, patient, nurse):
    demo_plan_load(patient=patient, nurse=nurse)
    db.session.commit()
    response = patient_client.get(WHOLE)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = visible_text(response.get_data(as_text=True))
    for words in (
        "Min plan – hela", "Att träffa barnbarnen på söndagarna.", "Hemtjänsten Solberga",
        "Väga mig varje morgon", "Dottern Eva", "Karin Lind", "19490312-2382",
        "Upp mer än 2 kg på 3 dagar: Ring Karin på vårdcentralen i dag.", "Mitt kvitto",
    ):  # fmt: skip
        assert words in page, words
    assert " kg " in page  # the weights with their unit


def test_an_empty_plan_reads_plainly(app, nurse):
    gunnar = people.patient_create(
        created_by=nurse, name="Gunnar Ek", phone="070-222 33 44", personal_number=None
    )
    db.session.commit()
    client = app.test_client()
    register_with_invitation(client, gunnar.user)
    page = visible_text(client.get(WHOLE).get_data(as_text=True))
    assert "Det finns ingen överenskommelse ännu." in page
    assert "Inga planerade kontakter." in page
    bundle = json.loads(client.get(EXPORT).get_data(as_text=True))
    validated(bundle)
    assert unresolved(bundle) == []


def test_the_copy_is_rate_limited_per_account(tmp_path):
    limited = create_app(
        make_config(tmp_path, RATELIMIT_ENABLED=True, EXPORT_RATE_LIMIT="2 per minute")
    )
    per_request_sessions(limited)
    with limited.app_context():
        fresh_database()
        unit = people.care_unit_get_or_create(name="Vårdcentralen Test")
        nurse = people.staff_create(unit=unit, name="Karin Lind", title="Sjuksköterska")
        astrid, gunnar = (
            people.patient_create(
                created_by=nurse, name=name, phone="070-111 22 33", personal_number=None
            )
            for name in ("Astrid Berg", "Gunnar Ek")
        )
        db.session.commit()
        client = limited.test_client()
        register_with_invitation(client, astrid.user)
        # The file and the readable copy share one limit.
        assert [client.get(path).status_code for path in (EXPORT, WHOLE, EXPORT)] == [200, 200, 429]
        refused = client.get(WHOLE)
        assert refused.status_code == 429
        assert "För många försök" in refused.get_data(as_text=True)
        # Another account behind the same address has a limit of its own.
        other = limited.test_client()
        register_with_invitation(other, gunnar.user)
        assert other.get(EXPORT).status_code == 200
        db.session.remove()
        db.engine.dispose()


# --- Text till journalen ------------------------------------------------------------------


def journal_path(patient, number=1):
    return f"/overenskommelse/patient/{patient.id}/version/{number}/journal"


HEADINGS = (
    "Vad är viktigt för patienten",
    "Mål",
    "Åtgärder och ansvar – patient, närstående, vård",
    "Fast vårdkontakt och fast läkarkontakt",
    "Nästa planerade kontakt",
    "Vid försämring",
    "Överenskommet datum och samtycke",
)


def test_the_journal_text_has_the_regions_headings_in_order(nurse_client, patient, nurse):
    whatmatters.whatmatters_add(
        patient=patient, text="Att kunna gå till affären.", actor=patient.user
    )
    make_agreed(
        patient,
        nurse,
        items=[
            item(kind="goal", text=GOAL),
            item(text=WALK),
            item(text="Handla åt mamma.", responsible="relative", name="Eva"),
            item(text="Ringer varannan vecka.", responsible="care_contact"),
        ],
        texts=WORSE,
    )
    db.session.commit()
    response = nurse_client.get(journal_path(patient))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = html[html.index('id="journal-text"') : html.index("</pre>")]
    places = [
        text.index(f"\n{heading}\n") if i else text.index(heading)
        for i, heading in enumerate(HEADINGS)
    ]
    assert places == sorted(places)
    assert f"- {GOAL}" in text
    assert (
        text.index("Patienten: " + WALK)
        < text.index("Närstående: Eva: Handla åt mamma.")
        < text.index("Fast vårdkontakt: Ringer varannan vecka.")
    )
    assert "Fast vårdkontakt: Karin Lind, Distriktssköterska" in text
    assert "Fast läkarkontakt: Ali Hassan, Allmänläkare" in text
    assert WORSE["when_worse_text"] in text
    assert "Patienten samtyckte" in text and "Vården samtyckte" in text
    assert "Version 1, överenskommen" in text
    # A copy button that works without inline script, and printable.
    assert 'data-copy="journal-text"' in html and "<script>" not in html
    assert 'href="/static/css/print.css' in html


def test_opening_the_journal_text_is_a_logged_read(nurse_client, patient, nurse):
    make_agreed(patient, nurse)
    db.session.commit()
    assert nurse_client.get(journal_path(patient)).status_code == 200
    rows = db.session.scalars(
        select(AccessLogEntry).where(
            AccessLogEntry.patient_id == patient.id, AccessLogEntry.action == "read_journal_text"
        )
    ).all()
    assert len(rows) == 1 and rows[0].actor_user_id == nurse.user_id


def test_the_journal_text_is_for_agreed_versions_and_the_care_side_only(
    nurse_client, patient_client, patient, nurse
):
    make_agreed(patient, nurse)
    make_draft(patient, nurse)
    db.session.commit()
    assert nurse_client.get(journal_path(patient, 2)).status_code == 404  # a draft
    assert nurse_client.get(journal_path(patient, 9)).status_code == 404
    assert patient_client.get(journal_path(patient, 1)).status_code == 404
    page = nurse_client.get(f"/overenskommelse/patient/{patient.id}").get_data(as_text=True)
    assert f'href="{journal_path(patient, 1)}"' in page


def test_the_journal_text_escapes_and_stays_swedish_in_english(nurse_client, patient, nurse):
    make_agreed(patient, nurse, items=[item(kind="goal", text=ODD)])
    nurse.user.locale = "en"
    db.session.commit()
    html = nurse_client.get(journal_path(patient)).get_data(as_text=True)
    assert "Copy the text" in html  # the page in her language, the text in the journal's
    assert "<b>med</b>" not in html and "&lt;b&gt;med&lt;/b&gt;" in html
    assert "Vad är viktigt för patienten" in html


def test_only_the_patients_own_relation_may_export():
    from webapp.access import PERMISSIONS, Action, Relation

    holders = {
        relation for relation, actions in PERMISSIONS.items() if Action.EXPORT_OWN_COPY in actions
    }
    assert holders == {Relation.SELF}


def test_the_copy_costs_the_same_queries_however_long_the_history(patient_client, patient, nurse):
    import uuid
    from datetime import timedelta

    from tests.conftest import count_queries
    from webapp.clock import now_utc
    from webapp.selfcare.models import CheckIn, SelfCareGoal

    demo_plan_load(patient=patient, nurse=nurse)
    db.session.commit()
    with count_queries() as few:
        assert patient_client.get(EXPORT).status_code == 200
    goal = db.session.scalars(select(SelfCareGoal).where(SelfCareGoal.unit == "kg")).one()
    db.session.add_all(
        CheckIn(
            client_uuid=str(uuid.uuid4()),
            goal_id=goal.id,
            patient_id=patient.id,
            taken_at=now_utc() - timedelta(days=30 + day),
            value=70.0,
            logged_by_user_id=patient.user_id,
        )
        for day in range(300)
    )
    db.session.commit()
    with count_queries() as many:
        assert patient_client.get(EXPORT).status_code == 200
    assert len(many) == len(few) <= 16


def test_staff_of_another_unit_get_no_journal_text(app, patient, nurse, other_unit_nurse):
    make_agreed(patient, nurse)
    db.session.commit()
    stranger = app.test_client()
    register_with_invitation(stranger, other_unit_nurse.user)
    assert stranger.get(journal_path(patient)).status_code == 404
    rows = db.session.scalars(
        select(AccessLogEntry).where(AccessLogEntry.action == "read_journal_text")
    ).all()
    assert rows == []  # a refused look read nothing


def test_the_journal_text_lists_the_self_care_care_assessed(nurse_client, patient, nurse):
    demo_plan_load(patient=patient, nurse=nurse)
    db.session.commit()
    html = nurse_client.get(journal_path(patient)).get_data(as_text=True)
    text = html[html.index('id="journal-text"') : html.index("</pre>")]
    assert "- Egenvård, Patienten: Väga mig varje morgon" in text
    assert "- Egenvård, Dottern Eva: Göra mina knäövningar" in text
    assert "Gå minst 3 000 steg" not in text  # her own goal, set alone
    assert "- Närstående: Dottern Eva: Följa med på promenaden på söndagar." in text


@pytest.mark.parametrize("path", ["/min-plan/ladda-ner", WHOLE])
def test_her_copy_reads_in_english_when_she_chose_it(patient_client, path):
    from tests.test_translations import assert_no_swedish, english_page_text

    text = english_page_text(patient_client, path)
    assert "My plan – all of it" in text
    assert_no_swedish(text)
