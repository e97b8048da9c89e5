"""The offline copy of the plan belongs to one person: every page says whose it is with an
opaque key (webapp/pwa/offline.py) that the service worker and static/js/offline.js go by."""

from __future__ import annotations

import re
import uuid

from tests.conftest import register_with_invitation
from webapp.people import services as people
from webapp.pwa.offline import OFFLINE_KEY_HEADER, SIGNED_OUT, offline_key

META = re.compile(r'<meta name="nara-offline-key" content="([^"]+)">')


def key_in_page(html: str) -> str | None:
    match = META.search(html)
    return match.group(1) if match else None


def test_signed_in_pages_say_whose_they_are(app, patient, nurse):
    other = people.patient_create(
        created_by=nurse, name="Gunnar Ek", phone="070-222 33 44", personal_number=None
    )
    pages = {}
    for person in (patient, other):
        client = app.test_client()
        register_with_invitation(client, person.user)
        for path in ("/", "/overenskommelse/nar-jag-blir-samre", "/nycklar"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert key_in_page(response.get_data(as_text=True)) == offline_key(person.user_id)
            assert response.headers[OFFLINE_KEY_HEADER] == offline_key(person.user_id)
        pages[person.user_id] = offline_key(person.user_id)
    first, second = pages.values()
    assert first != second


def test_the_key_tells_nothing_about_the_person(app, patient):
    key = offline_key(patient.user_id)
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", key)  # 128 bits
    assert str(patient.user_id) not in key and "Astrid" not in key
    assert key == offline_key(patient.user_id)  # stable: the same person keeps their copy
    app.config["SECRET_KEY"] = "another-secret-another-secret-another"
    assert offline_key(patient.user_id) != key  # not guessable without the secret


def test_signed_out_pages_say_so_and_static_files_say_nothing(client):
    for path in ("/", "/logga-in", "/utloggad", "/inbjudan/unknown", "/saknas"):
        response = client.get(path)
        assert response.headers[OFFLINE_KEY_HEADER] == SIGNED_OUT, path
        assert key_in_page(response.get_data(as_text=True)) is None, path
    assert OFFLINE_KEY_HEADER not in client.get("/static/css/app.css").headers


def test_a_redirect_leaves_it_to_the_page_it_leads_to(app, patient):
    # The service worker gets a redirect as an opaque one and cannot read its headers, so
    # working the key out for it would be wasted on the request made most (a check-in sent).
    from tests.conftest import csrf_token
    from tests.selfcare_rows import goal_make

    goal = goal_make(patient)
    client = app.test_client()
    register_with_invitation(client, patient.user)
    path = f"/egenvard/{goal.id}/logga"
    token = csrf_token(client, path)
    body = {"csrf_token": token, "client_uuid": str(uuid.uuid4()), "value": "72,4"}
    sent = client.post(path, data=body)
    assert sent.status_code == 303
    assert OFFLINE_KEY_HEADER not in sent.headers
    shown = client.get(sent.headers["Location"])
    assert shown.status_code == 200
    assert shown.headers[OFFLINE_KEY_HEADER] == offline_key(patient.user_id)
