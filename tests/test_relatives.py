"""Närstående: the patient invites, the relative signs up with their own passkey and acts for
her through the same routes; the patient changes and ends it; the ledger keeps every step."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.conftest import csrf_token
from tests.relatives_helpers import invite, post, take, take_with_new_account
from webapp.audit import AccessLogEntry
from webapp.extensions import db
from webapp.people.models import User, UserKind
from webapp.relatives import services
from webapp.relatives.models import GrantEvent, ProxyGrant
from webapp.selfcare.models import CheckIn


def relative_client(app, patient_client):
    link = invite(patient_client)
    client = app.test_client()
    take_with_new_account(client, link)
    return client


def test_the_relative_gets_an_account_of_their_own_and_sees_her_plan(app, patient_client, patient):
    eva = relative_client(app, patient_client)
    home = eva.get("/", follow_redirects=True)
    html = home.get_data(as_text=True)
    assert home.status_code == 200
    assert "Du hjälper:" in html and "Astrid Berg" in html
    grant = db.session.scalar(select(ProxyGrant))
    relative = db.session.get(User, grant.relative_user_id)
    assert relative.kind == UserKind.RELATIVE and relative.id != patient.user_id
    assert relative.name == "Eva"


def test_a_relative_never_reaches_the_patients_own_things(app, patient_client):
    eva = relative_client(app, patient_client)
    eva.get("/", follow_redirects=True)
    for path in ("/logglista", "/narstaende/", "/narstaende/ny", "/narstaende/samtycken"):
        assert eva.get(path).status_code == 404, path
    html = eva.get("/", follow_redirects=True).get_data(as_text=True)
    assert "logglista" not in html.lower()


def test_a_relatives_read_is_in_her_logglista_in_plain_words(app, patient_client, patient):
    eva = relative_client(app, patient_client)
    eva.get("/", follow_redirects=True)
    grant = db.session.scalar(select(ProxyGrant))
    rows = db.session.scalars(
        select(AccessLogEntry).where(AccessLogEntry.actor_user_id == grant.relative_user_id)
    ).all()
    assert [(row.patient_id, row.actor_role, row.action) for row in rows] == [
        (patient.id, "relative", "read_plan")
    ]
    html = patient_client.get("/logglista").get_data(as_text=True)
    assert "Eva (dotter)" in html


def test_ending_the_grant_refuses_the_relatives_next_request(app, patient_client, patient):
    eva = relative_client(app, patient_client)
    assert eva.get("/", follow_redirects=True).status_code == 200
    grant = db.session.scalar(select(ProxyGrant))
    response = post(patient_client, f"/narstaende/{grant.id}/avsluta", page="/narstaende/")
    assert response.status_code == 303
    refused = eva.get("/egenvard/")
    assert refused.status_code == 404
    assert "Din åtkomst har upphört" in refused.get_data(as_text=True)
    home = eva.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Astrid Berg" not in home
    kinds = db.session.scalars(select(GrantEvent.kind).order_by(GrantEvent.id)).all()
    assert kinds == ["invited", "accepted", "ended"]


def test_an_invitation_link_works_once(app, patient_client):
    link = invite(patient_client)
    take_with_new_account(app.test_client(), link)
    again = app.test_client().get(link)
    assert again.status_code == 410
    assert "redan använts" in again.get_data(as_text=True)


def test_the_patient_opening_her_own_link_is_told_to_send_it(patient_client):
    link = invite(patient_client)
    response = patient_client.get(link)
    assert response.status_code == 410
    assert "Skicka den till din närstående" in response.get_data(as_text=True)


# --- acting for her within the scopes -----------------------------------------------------


def test_a_relative_logs_a_weight_and_the_history_says_who(app, patient_client, patient, nurse):
    from tests.selfcare_rows import goal_make
    from tests.test_selfcare_checkins import post_log

    goal = goal_make(patient)
    eva = relative_client(app, patient_client)
    eva.get("/", follow_redirects=True)
    assert post_log(eva, goal, value="72,4").status_code == 303
    check_in = db.session.scalar(select(CheckIn))
    grant = db.session.scalar(select(ProxyGrant))
    assert check_in.patient_id == patient.id
    assert check_in.logged_by_user_id == grant.relative_user_id
    history = patient_client.get(f"/egenvard/{goal.id}/historik").get_data(as_text=True)
    assert "Loggat av Eva (dotter)" in history
    nurse_client = app.test_client()
    from tests.conftest import register_with_invitation

    register_with_invitation(nurse_client, nurse.user)
    care = nurse_client.get(f"/egenvard/patient/{patient.id}/{goal.id}/bild")
    assert care.status_code == 200
    assert "Loggat av Eva (dotter)" in care.get_data(as_text=True)


def test_an_update_sent_by_a_relative_says_so_in_the_nurses_inbox(
    app, patient_client, patient, nurse
):
    from tests.conftest import register_with_invitation

    eva = relative_client(app, patient_client)
    eva.get("/", follow_redirects=True)
    page = "/egenvard/uppdatering"
    sent = eva.post(page, data={"csrf_token": csrf_token(eva, page), "feeling": "same"})
    assert sent.status_code == 303, sent.get_data(as_text=True)
    nurse_client = app.test_client()
    register_with_invitation(nurse_client, nurse.user)
    inbox = nurse_client.get("/egenvard/inkorg").get_data(as_text=True)
    assert "Skickad av Eva (dotter)" in inbox


def test_a_relative_who_may_only_see_cannot_log_nor_send(app, patient_client, patient):
    from tests.selfcare_rows import goal_make

    goal = goal_make(patient)
    link = invite(patient_client, scopes=["view_plan"])
    eva = app.test_client()
    take_with_new_account(eva, link)
    eva.get("/", follow_redirects=True)
    assert eva.get(f"/egenvard/{goal.id}/logga").status_code == 404
    assert eva.get("/egenvard/uppdatering").status_code == 404
    today = eva.get("/egenvard/").get_data(as_text=True)
    assert f"/egenvard/{goal.id}/logga" not in today
    db.session.expire_all()
    assert db.session.scalar(select(CheckIn)) is None


def test_changing_the_scopes_holds_from_the_next_request(app, patient_client, patient):
    eva = relative_client(app, patient_client)
    assert eva.get("/", follow_redirects=True).status_code == 200
    grant = db.session.scalar(select(ProxyGrant))
    page = f"/narstaende/{grant.id}/andra"
    changed = patient_client.post(
        page, data={"csrf_token": csrf_token(patient_client, page), "scopes": ["self_care"]}
    )
    assert changed.status_code == 303
    home = eva.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Min fasta vårdkontakt" not in home  # the plan is no longer hers to see
    kinds = db.session.scalars(select(GrantEvent.kind).order_by(GrantEvent.id)).all()
    assert kinds == ["invited", "accepted", "changed"]


def test_saving_the_same_scopes_adds_no_ledger_row(app, patient_client):
    invite(patient_client)
    grant = db.session.scalar(select(ProxyGrant))
    page = f"/narstaende/{grant.id}/andra"
    same = patient_client.post(
        page,
        data={"csrf_token": csrf_token(patient_client, page), "scopes": list(grant.scopes)},
    )
    assert same.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(GrantEvent)) == 1


# --- bad input and misuse -------------------------------------------------------------------


def test_an_unknown_scope_or_none_is_refused_keeping_what_was_typed(patient_client):
    page = "/narstaende/ny"
    for scopes, words in ((["everything"], "Välj bland"), ([], "Välj minst en sak")):
        response = patient_client.post(
            page,
            data={
                "csrf_token": csrf_token(patient_client, page),
                "relative_name": "Eva",
                "relation": "dotter",
                "scopes": scopes,
            },
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert words in html and 'value="Eva"' in html and 'value="dotter"' in html
    assert db.session.scalar(select(func.count()).select_from(ProxyGrant)) == 0


def test_a_past_end_date_or_a_bad_date_is_refused(patient_client, clock):
    page = "/narstaende/ny"
    for ends_on in ("2001-01-01", "31/12"):
        response = patient_client.post(
            page,
            data={
                "csrf_token": csrf_token(patient_client, page),
                "relative_name": "Eva",
                "relation": "dotter",
                "scopes": ["view_plan"],
                "ends_on": ends_on,
            },
        )
        assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(ProxyGrant)) == 0


def test_ending_a_grant_twice_changes_nothing_the_second_time(app, patient_client):
    relative_client(app, patient_client)
    grant = db.session.scalar(select(ProxyGrant))
    path = f"/narstaende/{grant.id}/avsluta"
    post(patient_client, path, page="/narstaende/")
    again = post(patient_client, path, page="/narstaende/")
    assert again.status_code == 303
    assert "redan avslutad" in patient_client.get("/narstaende/").get_data(as_text=True)
    kinds = db.session.scalars(select(GrantEvent.kind).order_by(GrantEvent.id)).all()
    assert kinds == ["invited", "accepted", "ended"]


def test_a_grant_with_an_end_date_ends_by_itself(app, patient_client):
    today = services.today_local()
    link = invite(patient_client, ends_on=today.isoformat())
    eva = app.test_client()
    take_with_new_account(eva, link)
    assert "Astrid Berg" in eva.get("/", follow_redirects=True).get_data(as_text=True)
    # Its last day has passed (the session itself would still hold: moved in the row).
    grant = db.session.scalar(select(ProxyGrant))
    grant.ends_on = today - timedelta(days=1)
    db.session.commit()
    assert eva.get("/egenvard/").status_code == 404
    assert "Astrid Berg" not in eva.get("/", follow_redirects=True).get_data(as_text=True)


def test_an_expired_invitation_is_refused(app, patient_client, clock):
    link = invite(patient_client)
    clock.advance(hours=80)
    response = app.test_client().get(link)
    assert response.status_code == 410
    assert "gått ut" in response.get_data(as_text=True)


def test_a_patient_of_another_grant_id_gets_404(app, patient_client, nurse):
    from tests.conftest import register_with_invitation
    from webapp.people import services as people

    invite(patient_client)
    grant = db.session.scalar(select(ProxyGrant))
    other = people.patient_create(
        created_by=nurse, name="Gunnar Ek", phone="070-444 55 66", personal_number=None
    )
    db.session.commit()
    gunnar = app.test_client()
    register_with_invitation(gunnar, other.user)
    page = "/narstaende/"
    assert gunnar.get(f"/narstaende/{grant.id}/andra").status_code == 404
    ended = gunnar.post(
        f"/narstaende/{grant.id}/avsluta", data={"csrf_token": csrf_token(gunnar, page)}
    )
    assert ended.status_code == 404
    db.session.expire_all()
    assert db.session.get(ProxyGrant, grant.id).ended_at is None


def test_the_relative_steps_down_and_the_patient_is_told(app, patient_client):
    eva = relative_client(app, patient_client)
    eva.get("/", follow_redirects=True)
    grant = db.session.scalar(select(ProxyGrant))
    path = f"/narstaende/hjalper/{grant.id}/sluta"
    assert "Jag vill inte längre hjälpa Astrid Berg" in eva.get(path).get_data(as_text=True)
    assert post(eva, path, page=path).status_code == 303
    assert eva.get("/egenvard/").status_code == 404
    mine = patient_client.get("/narstaende/").get_data(as_text=True)
    assert "Slutade hjälpa dig" in mine
    ledger = patient_client.get("/narstaende/samtycken").get_data(as_text=True)
    assert "Eva (dotter) slutade hjälpa dig." in ledger


def test_one_person_helps_two_patients_and_is_a_patient_too(app, patient_client, patient, nurse):
    from tests.conftest import register_with_invitation
    from webapp.people import services as people

    gunnar = people.patient_create(
        created_by=nurse, name="Gunnar Ek", phone="070-444 55 66", personal_number=None
    )
    db.session.commit()
    gunnar_client = app.test_client()
    register_with_invitation(gunnar_client, gunnar.user)
    link = invite(patient_client, name="Gunnar", relation="granne")
    taken = take(gunnar_client, link)
    assert taken.status_code == 303
    home = gunnar_client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Du hjälper:" in home and "Astrid Berg" in home
    back = post(gunnar_client, "/narstaende/hjalper/tillbaka")
    assert back.status_code == 303
    own = gunnar_client.get("/").get_data(as_text=True)
    assert "Du hjälper:" not in own


# --- consent given in person, recorded by the care contact ------------------------------------


def consent_form(client, patient, **fields):
    page = f"/narstaende/vard/patienter/{patient.id}/samtycke"
    today = services.today_local()
    data = {
        "csrf_token": csrf_token(client, page),
        "relative_name": "Eva",
        "relation": "dotter",
        "scopes": ["view_plan", "reminders"],
        "consent_given_on": today.isoformat(),
        "ends_on": (today + timedelta(days=180)).isoformat(),
        **fields,
    }
    return client.post(page, data=data)


def test_the_care_contact_records_consent_and_the_patient_sees_it(
    app, patient, nurse_client, patient_client
):
    response = consent_form(nurse_client, patient)
    assert response.status_code == 303, response.get_data(as_text=True)
    link_page = nurse_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "/narstaende/inbjudan/" in link_page and "<svg" in link_page
    grant = db.session.scalar(select(ProxyGrant))
    assert grant.consent_given_on == services.today_local()
    log = patient_client.get("/logglista").get_data(as_text=True)
    assert "antecknade att du har gett en närstående åtkomst" in log
    plan = patient_client.get("/").get_data(as_text=True)
    assert "Eva (dotter)" in plan and "Karin Lind antecknade samtycket" in plan
    ledger = patient_client.get("/narstaende/samtycken").get_data(as_text=True)
    assert "Karin Lind antecknade att du gav Eva (dotter) åtkomst" in ledger
    care = nurse_client.get(f"/vard/patienter/{patient.id}").get_data(as_text=True)
    assert "Eva (dotter)" in care and "Se min plan" in care


def test_recorded_consent_holds_at_most_twelve_months(patient, nurse_client):
    today = services.today_local()
    response = consent_form(
        nurse_client, patient, ends_on=(today + timedelta(days=400)).isoformat()
    )
    assert response.status_code == 400
    assert "högst tolv månader" in response.get_data(as_text=True)
    future = consent_form(
        nurse_client, patient, consent_given_on=(today + timedelta(days=1)).isoformat()
    )
    assert future.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(ProxyGrant)) == 0


def test_only_the_care_contact_records_consent(app, patient, unit):
    from tests.conftest import register_with_invitation
    from webapp.people import services as people

    colleague = people.staff_create(unit=unit, name="Lena Kollega", title="Undersköterska")
    db.session.commit()
    client = app.test_client()
    register_with_invitation(client, colleague.user)
    page = f"/narstaende/vard/patienter/{patient.id}/samtycke"
    assert client.get(page).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(ProxyGrant)) == 0


# --- kept pages are per viewer -------------------------------------------------------------


def test_kept_pages_are_kept_per_viewer_and_move_with_her_plan(app, patient_client, patient):
    from tests.selfcare_rows import goal_make
    from tests.test_selfcare_checkins import post_log

    goal = goal_make(patient)
    eva = relative_client(app, patient_client)
    for _look in range(2):  # the second look of each is the kept page
        assert "Du hjälper:" in eva.get("/", follow_redirects=True).get_data(as_text=True)
        assert "Du hjälper:" not in patient_client.get("/").get_data(as_text=True)
        chart = f"/egenvard/{goal.id}/bild"
        assert "Du hjälper:" in eva.get(chart).get_data(as_text=True)
        assert "Du hjälper:" not in patient_client.get(chart).get_data(as_text=True)
    # Astrid logs a weight: the chart her daughter sees is drawn anew, not the kept one.
    assert post_log(patient_client, goal, value="81,3").status_code == 303
    assert "81,3" in eva.get(f"/egenvard/{goal.id}/bild").get_data(as_text=True)


def test_a_revoked_relatives_old_cookie_opens_nothing_on_either_worker(
    app, tmp_path, patient_client
):
    """Two workers (two apps on one database): the grant is read on every request, so the
    relative's cookie from before the end opens nothing on the other worker either."""
    from tests.conftest import make_config, per_request_sessions
    from webapp import create_app

    eva = relative_client(app, patient_client)
    eva.get("/", follow_redirects=True)  # the one she helps is chosen for her
    assert eva.get("/egenvard/").status_code == 200
    other_worker = create_app(make_config(tmp_path))  # the same database and secret key
    per_request_sessions(other_worker)
    cookie = eva.get_cookie("nara_session")
    assert cookie is not None
    copied = other_worker.test_client()
    copied.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
    with other_worker.app_context():
        assert copied.get("/egenvard/").status_code == 200  # the same person, acting for her
    grant = db.session.scalar(select(ProxyGrant))
    post(patient_client, f"/narstaende/{grant.id}/avsluta", page="/narstaende/")
    with other_worker.app_context():
        refused = copied.get("/egenvard/")
    assert refused.status_code == 404
    assert "Din åtkomst har upphört" in refused.get_data(as_text=True)
    assert eva.get("/egenvard/").status_code == 404


def test_min_plan_suggests_inviting_the_relative_the_agreement_names(
    patient_client, patient, nurse
):
    from tests.test_agreement import make_agreed
    from webapp.agreement.services import ItemInput

    make_agreed(
        patient,
        nurse,
        items=[
            ItemInput(
                kind="action",
                text="Gör knäövningarna med mamma.",
                responsible="relative",
                responsible_name="Eva",
            )
        ],
    )
    db.session.commit()
    for page in ("/", "/narstaende/"):  # Min plan and Mina närstående
        mine = patient_client.get(page).get_data(as_text=True)
        assert "Er överenskommelse nämner Eva." in mine
        assert "/narstaende/ny?namn=Eva" in mine
    form = patient_client.get("/narstaende/ny?namn=Eva").get_data(as_text=True)
    assert 'value="Eva"' in form
    invite(patient_client)  # Eva (dotter)
    for page in ("/", "/narstaende/"):
        mine = patient_client.get(page).get_data(as_text=True)
        assert "Er överenskommelse nämner Eva." not in mine


def test_the_offline_copy_kept_while_helping_her_is_forgotten_when_the_grant_ends(
    app, patient_client
):
    """The device keeps Min plan for offline reading under the key each page names: a key of
    the relative's own while acting for her, so the first page after the end (with another
    key) has the service worker forget the copy of her plan."""
    eva = relative_client(app, patient_client)
    helping = eva.get("/", follow_redirects=True).headers["Nara-Offline-Key"]
    own = patient_client.get("/").headers["Nara-Offline-Key"]
    assert helping and helping != own
    grant = db.session.scalar(select(ProxyGrant))
    post(patient_client, f"/narstaende/{grant.id}/avsluta", page="/narstaende/")
    after = eva.get("/", follow_redirects=True)
    assert after.headers["Nara-Offline-Key"] not in (helping, own, "signed-out")
