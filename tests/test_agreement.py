"""The agreement (överenskommelse): drafting, consent from both sides, versions, what changed,
"när jag blir sämre", the printable view, and the refusals that leave data as it was."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import count_queries, csrf_token, mark_seen, register_with_invitation
from webapp.agreement import services as agreements
from webapp.agreement.models import AgreementItem, AgreementVersion
from webapp.audit import READ_ACTIONS, AccessLogEntry, Change, Read
from webapp.extensions import db
from webapp.people import services as people

STAFF_PAGE = "/overenskommelse/patient/{id}"
EDIT = "/overenskommelse/patient/{id}/forslag/andra"
GOAL = "Jag vill kunna gå till affären själv."
WALK = "Gå en promenad varje dag."
WORSE = {
    "self_care_text": "Jag väger mig varje morgon.",
    "warning_signs_text": "Svullna ben eller mer andfådd än vanligt.",
    "when_worse_text": "Jag ringer Karin. Är det kväll ringer jag 1177.",
}


# --- helpers ---------------------------------------------------------------------------


def item(kind="action", text=WALK, responsible="patient", name="", what_matters_id=None):
    return agreements.ItemInput(
        kind=kind,
        text=text,
        responsible=responsible,
        responsible_name=name,
        what_matters_id=what_matters_id,
    )


def make_draft(patient, nurse, items=None, texts=None):
    draft = agreements.agreement_draft_start(patient=patient, by_user=nurse.user)
    return agreements.agreement_draft_save(
        patient=patient,
        version_id=draft.id,
        expected_lock=draft.lock_version,
        items=items if items is not None else [item("goal", GOAL), item()],
        texts=texts if texts is not None else WORSE,
        by_user=nurse.user,
    )


def consent_both(patient, nurse, version):
    agreements.agreement_consent(
        patient=patient,
        version_id=version.id,
        expected_lock=version.lock_version,
        as_patient=True,
        by_user=patient.user,
    )
    return agreements.agreement_consent(
        patient=patient,
        version_id=version.id,
        expected_lock=version.lock_version,
        as_patient=False,
        by_user=nurse.user,
    )


def make_agreed(patient, nurse, items=None, texts=None):
    return consent_both(patient, nurse, make_draft(patient, nurse, items, texts))


def form_data(version, rows, new=None, add=False, texts=None):
    """What the editor posts: every row of the draft, an optional new row, the three texts."""
    data = {"version_id": version.id, "lock_version": version.lock_version}
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"items-{index}-{key}"] = value
    new = new or {}
    data.update(
        {
            "new_kind": new.get("kind", "action"),
            "new_text": new.get("text", ""),
            "new_responsible": new.get("responsible", "patient"),
            "new_responsible_name": new.get("responsible_name", ""),
            "new_what_matters_id": new.get("what_matters_id", ""),
        }
    )
    data.update(texts if texts is not None else WORSE)
    if add:
        data["add"] = "1"
    return data


def row(kind="action", text=WALK, responsible="patient", name="", what_matters_id="", remove=False):
    data = {
        "kind": kind,
        "text": text,
        "responsible": responsible,
        "responsible_name": name,
        "what_matters_id": what_matters_id,
    }
    if remove:
        data["remove"] = "y"
    return data


def post_edit(client, patient, data):
    path = EDIT.format(id=patient.id)
    return client.post(
        path, data={**data, "csrf_token": csrf_token(client, STAFF_PAGE.format(id=patient.id))}
    )


def post_consent(client, path, version, page):
    token = csrf_token(client, page)
    return client.post(
        path,
        data={"version_id": version.id, "lock_version": version.lock_version, "csrf_token": token},
    )


def snapshot(patient):
    """Everything saved about the patient's agreement, to compare before and after a refusal."""
    db.session.expire_all()
    return [
        (
            v.number,
            v.status,
            v.lock_version,
            v.patient_consent_at,
            v.care_consent_at,
            v.self_care_text,
            v.warning_signs_text,
            v.when_worse_text,
            [
                (i.kind, i.text, i.responsible, i.responsible_name, i.what_matters_id)
                for i in v.items
            ],
        )
        for v in agreements.agreement_versions(patient=patient)
    ]


@pytest.fixture
def physician_client(app, physician):
    client = app.test_client()
    register_with_invitation(client, physician.user)
    return client


@pytest.fixture
def stranger_client(app, other_unit_nurse):
    client = app.test_client()
    register_with_invitation(client, other_unit_nurse.user)
    return client


# --- drafting and consent --------------------------------------------------------------


def test_care_contact_drafts_in_the_editor(nurse_client, patient):
    start = nurse_client.post(
        f"/overenskommelse/patient/{patient.id}/forslag",
        data={"csrf_token": csrf_token(nurse_client, STAFF_PAGE.format(id=patient.id))},
    )
    assert start.status_code == 303
    draft = agreements.agreement_draft_find(patient=patient)
    added = post_edit(
        nurse_client,
        patient,
        form_data(draft, [], new={"kind": "goal", "text": GOAL}, add=True),
    )
    assert added.status_code == 303 and added.location.endswith(EDIT.format(id=patient.id))
    draft = agreements.agreement_draft_find(patient=patient)
    saved = post_edit(
        nurse_client,
        patient,
        form_data(
            draft,
            [row("goal", GOAL)],
            new={
                "text": "Handla mat på tisdagar.",
                "responsible": "other_care",
                "responsible_name": "Hemtjänsten",
            },
        ),
    )
    assert saved.status_code == 303
    page = nurse_client.get(STAFF_PAGE.format(id=patient.id)).get_data(as_text=True)
    assert GOAL in page
    assert "Hemtjänsten:</strong> Handla mat på tisdagar." in page
    assert WORSE["warning_signs_text"] in page
    assert "Patienten har inte godkänt ännu." in page


def test_both_consents_make_the_draft_agreed(patient_client, nurse_client, patient, nurse):
    draft = make_draft(patient, nurse)
    home = patient_client.get("/").get_data(as_text=True)
    assert "Väntar på att du godkänner" in home

    answer = post_consent(patient_client, "/overenskommelse/godkann", draft, "/overenskommelse/")
    assert answer.status_code == 303
    assert agreements.agreement_agreed_at(patient_id=patient.id) is None
    assert "Väntar på att du godkänner" not in patient_client.get("/").get_data(as_text=True)
    staff_view = nurse_client.get(STAFF_PAGE.format(id=patient.id)).get_data(as_text=True)
    assert "Patienten har godkänt" in staff_view and "Vården har inte godkänt ännu." in staff_view

    answer = post_consent(
        nurse_client,
        f"/overenskommelse/patient/{patient.id}/godkann",
        draft,
        STAFF_PAGE.format(id=patient.id),
    )
    assert answer.status_code == 303
    assert agreements.agreement_agreed_at(patient_id=patient.id) is not None
    page = patient_client.get("/overenskommelse/").get_data(as_text=True)
    assert "Det här har vi kommit överens om" in page
    assert "Jag är med på det här" not in page


def test_agreed_version_supersedes_the_one_before(patient, nurse):
    first = make_agreed(patient, nurse)
    second = make_agreed(patient, nurse, items=[item("goal", GOAL), item(text="Cykla.")])
    db.session.expire_all()
    assert db.session.get(AgreementVersion, first.id).status == "superseded"
    assert db.session.get(AgreementVersion, second.id).status == "agreed"
    assert agreements.for_overview(patient).agreed.id == second.id


def test_a_draft_needs_something_to_consent_to(patient_client, patient, nurse):
    draft = agreements.agreement_draft_start(patient=patient, by_user=nurse.user)
    answer = post_consent(patient_client, "/overenskommelse/godkann", draft, "/overenskommelse/")
    assert answer.status_code == 400
    assert "Det finns inget att godkänna ännu." in answer.get_data(as_text=True)
    assert snapshot(patient)[0][3] is None


def test_edit_of_an_agreed_version_makes_a_new_draft_and_keeps_the_old(
    patient_client, nurse_client, patient, nurse
):
    agreed = make_agreed(patient, nurse)
    nurse_client.post(
        f"/overenskommelse/patient/{patient.id}/forslag",
        data={"csrf_token": csrf_token(nurse_client, STAFF_PAGE.format(id=patient.id))},
    )
    draft = agreements.agreement_draft_find(patient=patient)
    assert draft.number == 2 and draft.id != agreed.id
    assert [(i.kind, i.text) for i in draft.items] == [("goal", GOAL), ("action", WALK)]
    assert draft.when_worse_text == WORSE["when_worse_text"]

    post_edit(nurse_client, patient, form_data(draft, [row("goal", GOAL), row(text="Cykla.")]))
    old = patient_client.get("/overenskommelse/version/1")
    assert old.status_code == 200
    assert WALK in old.get_data(as_text=True)
    assert "Gäller nu" in old.get_data(as_text=True)
    staff_old = nurse_client.get(f"/overenskommelse/patient/{patient.id}/version/1")
    assert staff_old.status_code == 200 and WALK in staff_old.get_data(as_text=True)
    assert patient_client.get("/overenskommelse/version/9").status_code == 404


def test_patient_sees_what_changed_in_plain_words(patient_client, patient, nurse):
    make_agreed(
        patient,
        nurse,
        items=[
            item("goal", GOAL),
            item(),
            item(text="Ta blodtrycket.", responsible="care_contact"),
        ],
    )
    make_draft(
        patient,
        nurse,
        items=[
            item("goal", GOAL),
            item(responsible="relative", name="Eva"),
            item(text="Handla mat.", responsible="other_care", name="Hemtjänsten"),
        ],
        texts={**WORSE, "warning_signs_text": "Feber över 38 grader."},
    )
    page = patient_client.get("/overenskommelse/version/2").get_data(as_text=True)
    assert "Det här ändrades från version 1 till version 2" in page
    assert "Ny åtgärd:</strong>\n      Hemtjänsten: Handla mat." in page
    assert "Borttaget:</strong> Ta blodtrycket." in page
    assert "Förut gjorde Du det. Nu gör Närstående: Eva det." in page
    assert "Feber över 38 grader." in page
    assert "Förut stod det: Svullna ben eller mer andfådd än vanligt." in page
    assert GOAL not in page.split("Hela versionen")[0]  # an unchanged goal is not a change


def test_editing_a_draft_clears_earlier_consents(patient, nurse):
    draft = make_draft(patient, nurse)
    lock = draft.lock_version
    agreements.agreement_consent(
        patient=patient,
        version_id=draft.id,
        expected_lock=lock,
        as_patient=True,
        by_user=patient.user,
    )
    edited = agreements.agreement_draft_save(
        patient=patient,
        version_id=draft.id,
        expected_lock=lock,
        items=[item("goal", GOAL)],
        texts=WORSE,
        by_user=nurse.user,
    )
    assert edited.patient_consent_at is None
    assert edited.lock_version == lock + 1


def test_consent_to_a_version_that_has_since_changed_is_refused(patient_client, patient, nurse):
    draft = make_draft(patient, nurse)
    read = {"id": draft.id, "lock_version": draft.lock_version}
    token = csrf_token(patient_client, "/overenskommelse/")  # the patient reads the draft
    agreements.agreement_draft_save(  # ...and meanwhile the care contact changes it
        patient=patient,
        version_id=draft.id,
        expected_lock=draft.lock_version,
        items=[item("goal", GOAL), item(text="Cykla.")],
        texts=WORSE,
        by_user=nurse.user,
    )
    before = snapshot(patient)
    answer = patient_client.post(
        "/overenskommelse/godkann",
        data={"version_id": read["id"], "lock_version": read["lock_version"], "csrf_token": token},
    )
    assert answer.status_code == 409
    assert (
        "Överenskommelsen har ändrats sedan du läste den. Läs igenom den nya versionen."
        in answer.get_data(as_text=True)
    )
    assert "Cykla." in answer.get_data(as_text=True)  # the new version is there to read
    assert snapshot(patient) == before


def test_consent_to_an_already_agreed_version_changes_nothing(patient_client, patient, nurse):
    agreed = make_agreed(patient, nurse)
    before = snapshot(patient)
    answer = post_consent(patient_client, "/overenskommelse/godkann", agreed, "/overenskommelse/")
    assert answer.status_code == 409
    assert snapshot(patient) == before


def test_second_simultaneous_edit_is_told_and_nothing_is_lost(
    nurse_client, physician_client, patient, nurse
):
    draft = make_draft(patient, nurse)
    nurse_copy = form_data(draft, [row("goal", GOAL), row(text="Gå två promenader om dagen.")])
    physician_copy = form_data(
        draft, [row("goal", GOAL), row(text="Väg dig varje morgon.", responsible="patient")]
    )
    assert post_edit(nurse_client, patient, nurse_copy).status_code == 303
    saved = snapshot(patient)

    second = post_edit(physician_client, patient, physician_copy)
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert "Någon annan ändrade förslaget medan du skrev." in html
    assert "Väg dig varje morgon." in html  # what the physician typed is still on screen
    assert "Gå två promenader om dagen." in html  # and what the nurse saved is shown
    assert snapshot(patient) == saved
    # Saving again, knowingly, after reading what is saved, works.
    current = agreements.agreement_draft_find(patient=patient)
    assert f'value="{current.lock_version}"' in html


@pytest.mark.parametrize(
    ("rows", "new", "add", "message"),
    [
        ([row("goal", "")], None, False, "Skriv målet eller åtgärden, eller kryssa i Ta bort."),
        ([], {"kind": "goal", "text": ""}, True, "Skriv målet eller åtgärden."),
        ([row(text="x" * 501)], None, False, "Texten får vara högst 500 tecken."),
        ([], {"text": "y" * 501}, True, "Texten får vara högst 500 tecken."),
        ([row(responsible="neighbour")], None, False, "Välj vem som gör det."),
        ([row(kind="wish")], None, False, "Välj om det är ett mål eller en åtgärd."),
        ([row(name="n" * 121)], None, False, "Namnet får vara högst 120 tecken."),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    nurse_client, patient, nurse, rows, new, add, message
):
    draft = make_draft(patient, nurse)
    before = snapshot(patient)
    answer = post_edit(nurse_client, patient, form_data(draft, rows, new=new, add=add))
    assert answer.status_code == 400
    assert message in answer.get_data(as_text=True)
    assert snapshot(patient) == before


def test_over_long_text_keeps_what_was_typed(nurse_client, patient, nurse):
    draft = make_draft(patient, nurse)
    answer = post_edit(
        nurse_client,
        patient,
        form_data(draft, [row("goal", GOAL)], texts={**WORSE, "when_worse_text": "z" * 2001}),
    )
    assert answer.status_code == 400
    assert "Högst 2000 tecken." in answer.get_data(as_text=True)
    assert GOAL in answer.get_data(as_text=True)


def test_forged_version_or_lock_in_the_editor_is_a_conflict(nurse_client, patient, nurse):
    draft = make_draft(patient, nurse)
    before = snapshot(patient)
    data = form_data(draft, [row("goal", "Något annat.")])
    data["lock_version"] = "abc"
    assert post_edit(nurse_client, patient, data).status_code == 409
    assert snapshot(patient) == before


# --- access ----------------------------------------------------------------------------


def test_strangers_get_404_everywhere(stranger_client, patient_client, patient, nurse):
    draft = make_draft(patient, nurse)
    base = f"/overenskommelse/patient/{patient.id}"
    for path in (base, f"{base}/forslag/andra", f"{base}/version/1", f"{base}/utskrift"):
        assert stranger_client.get(path).status_code == 404, path
        assert patient_client.get(path).status_code == 404, path  # a patient is not staff
    before = snapshot(patient)
    token = csrf_token(stranger_client, "/vard/")
    for path in (f"{base}/forslag", f"{base}/godkann", f"{base}/forslag/andra"):
        answer = stranger_client.post(
            path, data={"csrf_token": token, "version_id": draft.id, "lock_version": 1}
        )
        assert answer.status_code == 404, path
    assert snapshot(patient) == before


def test_staff_cannot_use_the_patients_own_pages(nurse_client, patient, nurse):
    make_draft(patient, nurse)
    for path in ("/overenskommelse/", "/overenskommelse/utskrift", "/overenskommelse/version/1"):
        assert nurse_client.get(path).status_code == 404


def test_signed_out_visitor_is_sent_to_sign_in(client, patient, nurse):
    assert client.get("/overenskommelse/nar-jag-blir-samre").status_code in (302, 401)


def test_staff_reads_and_changes_are_in_the_access_log(nurse_client, patient, nurse):
    make_draft(patient, nurse)
    nurse_client.get(STAFF_PAGE.format(id=patient.id))
    nurse_client.get(f"/overenskommelse/patient/{patient.id}/utskrift")
    actions = db.session.scalars(
        select(AccessLogEntry.action)
        .where(AccessLogEntry.patient_id == patient.id)
        .order_by(AccessLogEntry.id)
    ).all()
    assert actions.count(Read.AGREEMENT) == 2  # one read row per page opened
    assert Change.AGREEMENT_DRAFTED in actions


def test_patients_own_reads_are_not_logged(patient_client, patient, nurse):
    make_draft(patient, nurse)
    patient_client.get("/overenskommelse/")
    patient_client.get("/overenskommelse/nar-jag-blir-samre")
    count = db.session.scalar(
        select(func.count())
        .select_from(AccessLogEntry)
        .where(AccessLogEntry.patient_id == patient.id, AccessLogEntry.action.in_(READ_ACTIONS))
    )
    assert count == 0


# --- reading: overview, print, när jag blir sämre ---------------------------------------


def test_an_agreement_is_in_force_from_both_yeses(patient, nurse):
    assert agreements.agreement_agreed_at(patient_id=patient.id) is None
    draft = make_draft(patient, nurse)
    assert agreements.agreement_agreed_at(patient_id=patient.id) is None
    consent_both(patient, nurse, draft)
    assert agreements.agreement_agreed_at(patient_id=patient.id) is not None


def test_for_overview_runs_the_same_few_queries_whatever_the_counts(patient, nurse, unit):
    small = people.patient_create(
        created_by=nurse, name="Bengt Ek", phone="070-999 88 77", personal_number=None
    )
    make_agreed(small, nurse, items=[item("goal", GOAL)])
    ten = [item("goal" if n % 2 else "action", f"Rad {n}") for n in range(10)]
    for _ in range(3):
        make_agreed(patient, nurse, items=ten)
    make_draft(patient, nurse, items=ten)
    db.session.expire_all()
    assert small.id and patient.id  # loaded again here, not inside the count
    with count_queries() as few:
        overview = agreements.for_overview(small)
        [i.text for i in overview.agreed.items]
    db.session.expire_all()
    assert patient.id
    with count_queries() as many:
        overview = agreements.for_overview(patient)
        [i.text for v in (overview.agreed, overview.draft) for i in v.items]
        assert overview.waiting_for_patient and overview.waiting_for_care
    assert len(many) == len(few) <= 2


def test_min_plan_shows_the_agreement(patient_client, patient, nurse):
    home = patient_client.get("/").get_data(as_text=True)
    assert "Vår överenskommelse" in home and "Ni har ingen överenskommelse ännu." in home
    make_agreed(
        patient, nurse, items=[item("goal", GOAL), item(responsible="relative", name="Eva")]
    )
    home = patient_client.get("/").get_data(as_text=True)
    assert GOAL in home
    assert "Närstående: Eva:</strong> " + WALK in home
    assert 'href="/overenskommelse/nar-jag-blir-samre"' in home
    assert 'href="/overenskommelse/"' in home


def test_care_contact_sees_what_is_new_since_last_look(nurse_client, patient, nurse):
    nurse_client.get(f"/vard/patienter/{patient.id}")  # first look
    page = nurse_client.get(f"/vard/patienter/{patient.id}").get_data(as_text=True)
    assert "Förslaget är ändrat." not in page
    make_draft(patient, nurse)
    page = nurse_client.get(f"/vard/patienter/{patient.id}").get_data(as_text=True)
    assert "Förslaget är ändrat." in page and "Nytt sedan du tittade senast" in page
    assert "Ett förslag väntar på att patienten godkänner." in page
    mark_seen(nurse_client, patient.id)
    page = nurse_client.get(f"/vard/patienter/{patient.id}").get_data(as_text=True)
    assert "Förslaget är ändrat." not in page


def test_printable_view_for_the_fridge(patient_client, nurse_client, patient, nurse):
    make_agreed(patient, nurse)
    for client, path in (
        (patient_client, "/overenskommelse/utskrift"),
        (nurse_client, f"/overenskommelse/patient/{patient.id}/utskrift"),
    ):
        html = client.get(path).get_data(as_text=True)
        assert 'href="/static/css/print.css" media="print"' in html
        assert GOAL in html and WORSE["when_worse_text"] in html
        assert "Astrid Berg" in html and "tel:1177" in html


def test_when_worse_page_shows_the_agreed_texts_and_whom_to_call(patient_client, patient, nurse):
    make_agreed(patient, nurse)
    make_draft(patient, nurse, texts={**WORSE, "when_worse_text": "Ändrat men inte godkänt."})
    html = patient_client.get("/overenskommelse/nar-jag-blir-samre").get_data(as_text=True)
    assert WORSE["when_worse_text"] in html and "Ändrat men inte godkänt." not in html
    assert "Det här är ett förslag." not in html
    assert 'href="tel:0101234567"' in html and "Mån–sön 00:00–24:00" in html
    assert 'href="tel:1177"' in html and 'href="tel:112"' in html
    assert "Spara planen i den här telefonen" in html


def test_when_worse_page_shows_a_draft_marked_as_draft(patient_client, patient, nurse):
    make_draft(patient, nurse)
    html = patient_client.get("/overenskommelse/nar-jag-blir-samre").get_data(as_text=True)
    assert "Det här är ett förslag." in html and WORSE["self_care_text"] in html


def test_when_worse_page_before_anything_is_written(patient_client):
    html = patient_client.get("/overenskommelse/nar-jag-blir-samre").get_data(as_text=True)
    assert "Ni har inte skrivit det här ännu." in html and 'href="tel:112"' in html


def test_service_worker_keeps_the_plan_only_when_turned_on(client):
    source = client.get("/sw.js").get_data(as_text=True)
    assert '"/overenskommelse/nar-jag-blir-samre"' in source
    # Into the person's own copy only, and only when that exists (turned on for the device).
    assert "const name = PLAN_CACHE_PREFIX + key;" in source
    assert "if (await caches.has(name))" in source


def test_items_are_kept_in_order(patient, nurse):
    make_draft(patient, nurse, items=[item(text=f"Rad {n}") for n in range(5)])
    texts = db.session.scalars(select(AgreementItem.text).order_by(AgreementItem.position)).all()
    assert texts == [f"Rad {n}" for n in range(5)]


# --- tied to what matters ---------------------------------------------------------------


def test_an_action_can_be_tied_to_what_matters_to_the_patient(
    nurse_client, patient_client, patient, nurse
):
    from webapp.whatmatters.services import whatmatters_add

    matters = whatmatters_add(patient=patient, text="Att klara mig hemma.", actor=patient.user)
    draft = make_draft(patient, nurse)
    editor = nurse_client.get(EDIT.format(id=patient.id)).get_data(as_text=True)
    assert "Att klara mig hemma." in editor  # offered in the select list
    answer = post_edit(
        nurse_client,
        patient,
        form_data(draft, [row("goal", GOAL), row(what_matters_id=str(matters.id))]),
    )
    assert answer.status_code == 303
    assert [i.what_matters_id for i in agreements.agreement_draft_find(patient=patient).items] == [
        None,
        matters.id,
    ]
    page = patient_client.get("/overenskommelse/").get_data(as_text=True)
    assert "Hör ihop med: Att klara mig hemma." in page


def test_what_matters_of_another_patient_is_refused(nurse_client, patient, nurse):
    from webapp.whatmatters.services import whatmatters_add

    other = people.patient_create(
        created_by=nurse, name="Bengt Ek", phone="070-999 88 77", personal_number=None
    )
    theirs = whatmatters_add(patient=other, text="Bengts hemlighet.", actor=other.user)
    draft = make_draft(patient, nurse)
    before = snapshot(patient)
    for value in (str(theirs.id), "999999", "abc"):
        answer = post_edit(
            nurse_client, patient, form_data(draft, [row("goal", GOAL), row(what_matters_id=value)])
        )
        assert answer.status_code == 400
        html = answer.get_data(as_text=True)
        assert "Välj något av det som patienten har skrivit är viktigt." in html
        assert "Bengts hemlighet." not in html
    assert snapshot(patient) == before


def test_any_two_versions_can_be_compared(patient_client, patient, nurse):
    make_agreed(patient, nurse, items=[item("goal", GOAL)])
    make_agreed(patient, nurse, items=[item("goal", GOAL), item()])
    make_agreed(patient, nurse, items=[item("goal", GOAL), item(), item(text="Cykla.")])
    page = patient_client.get("/overenskommelse/version/1?jamfor=3").get_data(as_text=True)
    assert "Det här ändrades från version 1 till version 3" in page
    assert WALK in page and "Cykla." in page
    page = patient_client.get("/overenskommelse/version/3?jamfor=abc").get_data(as_text=True)
    assert "Det här ändrades från version 2 till version 3" in page


@pytest.mark.parametrize("chosen", [str(2**64), "99999999999999999999", str(2**31), "-1", "1_0"])
def test_a_version_number_no_version_can_have_compares_with_the_one_before(
    patient_client, nurse_client, patient, nurse, chosen
):
    make_agreed(patient, nurse, items=[item("goal", GOAL)])
    make_agreed(patient, nurse, items=[item("goal", GOAL), item()])
    for client, path in (
        (patient_client, "/overenskommelse/version/2"),
        (nurse_client, f"/overenskommelse/patient/{patient.id}/version/2"),
    ):
        response = client.get(path, query_string={"jamfor": chosen})
        assert response.status_code == 200, chosen
        assert "Det här ändrades från version 1 till version 2" in response.get_data(as_text=True)
