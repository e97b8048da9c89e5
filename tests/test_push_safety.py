"""A device's push address cannot be turned against us, and what a patient sends cannot make
the server answer 500: only the push services browsers use are accepted (an allow-list of
names; no IP address, user info or odd port), each person has a bounded number of devices
and test pushes, and bodies that used to crash (a NUL on PostgreSQL, `https://[::1/`, JSON
nested 5,000 deep) are a 400 with a message. The address check at connect time is
tests/test_push_client.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tests.conftest import csrf_token, made_up_subscription
from webapp.extensions import db
from webapp.notify.endpoints import (
    DEFAULT_PUSH_SERVICE_HOSTS,
    PushHosts,
    address_allowed,
    endpoint_problem,
)
from webapp.notify.models import PushSubscription, Reminder

BROWSERS = PushHosts.of(DEFAULT_PUSH_SERVICE_HOSTS)
PAGE = "/paminnelser/"


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b",  # Chrome, Android
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAAA",  # Firefox
        "https://web.push.apple.com/QGuQyavXutnMH",  # Safari, iPhone
        "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA%2b",  # Edge
        "https://fcm.googleapis.com:443/fcm/send/x",
    ],
)
def test_the_browsers_push_services_are_accepted(endpoint):
    assert endpoint_problem(endpoint, BROWSERS) is None


@pytest.mark.parametrize(
    ("endpoint", "why"),
    [
        ("https://127.0.0.1:8443/push", "port"),
        ("https://127.0.0.1/push", "IP address"),
        ("https://[::1]/push", "IP address"),
        ("https://10.0.0.7/push", "IP address"),
        ("https://169.254.169.254/latest/meta-data/", "IP address"),
        ("https://2130706433/push", "IP address"),  # 127.0.0.1 as one number
        ("https://0x7f.1/push", "IP address"),
        ("https://[::1/", "not a URL"),
        ("https://fcm.googleapis.com:8080/fcm/send/x", "port 8080"),
        ("https://user:pw@fcm.googleapis.com/fcm/send/x", "user info"),
        ("https://fcm.googleapis.com@10.0.0.7/x", "user info"),
        ("http://fcm.googleapis.com/fcm/send/x", "not https"),
        ("https://fcm.googleapis.com/fcm/send/a b", "not a URL"),
        ("https://fcm.googleapis.com/fcm/send/a\x00b", "not a URL"),
        ("https://fcm.googleapis.com.evil.example/x", "allow-list"),
        ("https://push.apple.com/x", "allow-list"),  # "*.push.apple.com" is below it only
        ("https://intranet.region.local/x", "allow-list"),
        ("https://localhost/x", "allow-list"),
        ("javascript:alert(1)", "no host"),
    ],
)
def test_anything_else_is_refused_with_the_reason(endpoint, why):
    problem = endpoint_problem(endpoint, BROWSERS)
    assert problem is not None and why in problem


def test_the_local_fake_push_service_only_through_configuration():
    local = PushHosts.of(DEFAULT_PUSH_SERVICE_HOSTS, local=True)
    assert endpoint_problem("http://127.0.0.1:5999/push/x", local) is None
    assert endpoint_problem("http://127.0.0.1:5999/push/x", BROWSERS) is not None
    assert endpoint_problem("http://10.0.0.7:5999/push/x", local) is not None


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("142.250.74.106", True),
        ("2a00:1450:400f:80d::200a", True),
        ("127.0.0.1", False),
        ("::1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("fe80::1%eth0", False),
        ("fd12:3456::1", False),  # unique-local
        ("::ffff:127.0.0.1", False),  # loopback, written as IPv6
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),  # noqa: S104 (an address refused, not one bound to)
    ],
)
def test_at_connect_time_only_public_addresses(address, allowed):
    assert address_allowed(address, BROWSERS, "fcm.googleapis.com") is allowed


# --- what a device sends, through the page ---------------------------------------------


def add_device(client, subscription: dict, name: str = "Min telefon"):
    return client.post(
        "/paminnelser/enheter",
        json={"subscription": subscription, "name": name},
        headers={"X-CSRFToken": csrf_token(client, PAGE)},
    )


def devices() -> int:
    return db.session.scalar(select(func.count(PushSubscription.id)))


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://127.0.0.1:8443/push",
        "https://[::1]/push",
        "https://[::1/",
        "https://169.254.169.254/latest/meta-data/",
        "https://fcm.googleapis.com/fcm/send/a\x00b",
        "https://fcm.googleapis.com/fcm/send/a b",
    ],
)
def test_an_address_that_is_no_push_service_is_a_clear_400_and_nothing_is_saved(
    app, patient_client, endpoint
):
    app.config["PUSH_SERVICE_LOCAL"] = False  # as in production: no local fake push service
    response = add_device(patient_client, made_up_subscription(endpoint))
    assert response.status_code == 400
    assert "pushtjänster" in response.get_json()["error"]
    assert devices() == 0


def test_a_nul_in_a_name_or_a_key_is_a_clear_400(patient_client):
    response = add_device(patient_client, made_up_subscription(), "Min\x00telefon")
    assert response.status_code == 400
    assert "tecken som inte går att använda" in response.get_json()["error"]
    broken = made_up_subscription()
    broken["keys"]["auth"] = broken["keys"]["auth"][:4] + "\x00" + broken["keys"]["auth"][4:]
    response = add_device(patient_client, broken)
    assert response.status_code == 400 and "nycklar" in response.get_json()["error"]
    assert devices() == 0


def test_a_person_has_at_most_so_many_devices(app, patient_client):
    app.config["PUSH_DEVICES_PER_PERSON"] = 3
    fcm = "https://fcm.googleapis.com/fcm/send/"
    for n in range(3):
        assert add_device(patient_client, made_up_subscription(f"{fcm}{n}")).status_code == 201
    response = add_device(patient_client, made_up_subscription(f"{fcm}3"))
    assert response.status_code == 400
    assert "Du har redan 3 telefoner och datorer" in response.get_json()["error"]
    assert devices() == 3
    # The same browser subscribing again is no new device.
    assert (
        add_device(patient_client, made_up_subscription(f"{fcm}0"), "Nytt namn").status_code == 201
    )


def test_test_pushes_are_limited_per_hour(app, clock, patient_client):
    app.config["PUSH_TESTS_PER_HOUR"] = 2
    assert add_device(patient_client, made_up_subscription()).status_code == 201
    device_id = db.session.scalar(select(PushSubscription.id))

    def ask() -> str:
        token = csrf_token(patient_client, PAGE)
        response = patient_client.post(
            f"/paminnelser/enheter/{device_id}/prov",
            data={"csrf_token": token},
            follow_redirects=True,
        )
        assert response.status_code == 200
        return response.get_data(as_text=True)

    assert "Provpåminnelsen är på väg" in ask()
    assert "Provpåminnelsen är på väg" in ask()
    assert "Du har skickat många provpåminnelser" in ask()
    assert db.session.scalar(select(func.count(Reminder.id))) == 2
    # An hour later (the rows made older: the session itself would have ended meanwhile).
    db.session.execute(update(Reminder).values(created_at=clock.now - timedelta(minutes=61)))
    db.session.commit()
    assert "Provpåminnelsen är på väg" in ask()


# --- JSON nested 5,000 deep, without signing in ------------------------------------------

DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize(
    "path",
    [  # (login/options reads no body)
        "/passkeys/api/login/verify",
        "/passkeys/api/register/options",
        "/passkeys/api/register/verify",
    ],
)
def test_json_nested_5000_deep_is_a_400_on_the_passkey_endpoints(client, path, caplog):
    response = client.post(
        path,
        data=DEEP,
        content_type="application/json",
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert response.status_code == 400
    assert "gick inte att läsa" in response.get_json()["error"]
    assert "Traceback" not in caplog.text


def test_json_nested_5000_deep_is_a_400_on_the_check_in_sync(patient_client, caplog):
    response = patient_client.post(
        "/egenvard/skicka",
        data='{"check_ins": ' + DEEP + "}",
        content_type="application/json",
        headers={"X-CSRFToken": csrf_token(patient_client, "/")},
    )
    assert response.status_code == 400
    assert "gick inte att läsa" in response.get_json()["error"]
    assert "Traceback" not in caplog.text
