"""Flask commands: demo data that can be loaded again and again, and the first administrator."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tests.conftest import api, csrf_token
from tests.fakes.authenticator import SoftAuthenticator
from webapp.extensions import db
from webapp.people.models import CareUnit, Patient, StaffMember
from webapp.whatmatters.models import WhatMattersStatement

LINK = re.compile(r"http://localhost(/inbjudan/[A-Za-z0-9_\-]+)")


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def links(output):
    return LINK.findall(output)


def registers(client, path):
    token = path.rsplit("/", 1)[1]
    csrf = csrf_token(client, path)
    options = api(client, "/passkeys/api/register/options", {"invitation": token}, csrf)
    credential = SoftAuthenticator().create(options.get_json())
    return api(client, "/passkeys/api/register/verify", {"credential": credential}, csrf)


def test_demo_load_is_idempotent_and_prints_four_working_links(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert (count(CareUnit), count(StaffMember), count(Patient)) == (1, 2, 2)
    nurse = db.session.scalar(select(StaffMember).where(StaffMember.is_unit_admin.is_(True)))
    assert all(p.care_contact_id == nurse.id for p in db.session.scalars(select(Patient)))
    paths = links(second.output)
    assert len(paths) == 4
    for name in ("Karin Lind", "Ali Hassan", "Astrid Berg", "Gunnar Ek"):
        assert name in second.output
    clients = []
    for path in paths:
        client = app.test_client()
        assert client.get(path).status_code == 200, path
        assert registers(client, path).status_code == 200
        clients.append(client)
    # Astrid's plan is lived-in, and loading twice did not double it.
    assert count(WhatMattersStatement) == 3
    astrid_home = clients[2].get("/").get_data(as_text=True)
    assert "Att kunna gå till affären själv." in astrid_home
    assert "Hemtjänsten Solberga" in astrid_home
    # The first run's links were replaced by the second run's.
    assert app.test_client().get(links(first.output)[0]).status_code == 410


def test_create_admin_prints_a_working_link(app):
    result = app.test_cli_runner().invoke(
        args=["staff", "create-admin", "--unit", "Vårdcentralen Norr", "--name", "Eva Admin"]
    )
    assert result.exit_code == 0, result.output
    (path,) = links(result.output)
    client = app.test_client()
    assert registers(client, path).status_code == 200
    assert client.get("/vard/personal/ny").status_code == 200  # an administrator
    member = db.session.scalar(select(StaffMember))
    assert member.is_unit_admin and member.care_unit.name == "Vårdcentralen Norr"


def test_create_admin_twice_in_the_same_unit_makes_two_admins_in_one_unit(app):
    runner = app.test_cli_runner()
    for name in ("Eva Admin", "Per Admin"):
        result = runner.invoke(args=["staff", "create-admin", "--unit", "Norr", "--name", name])
        assert result.exit_code == 0, result.output
    assert (count(CareUnit), count(StaffMember)) == (1, 2)


def test_create_admin_refuses_an_empty_name(app):
    result = app.test_cli_runner().invoke(
        args=["staff", "create-admin", "--unit", "Norr", "--name", "  "]
    )
    assert result.exit_code != 0
    assert count(StaffMember) == 0


def test_notify_keys_prints_a_pair_that_signs_and_verifies(app):
    from webapp.notify.vapid import VapidSigner, vapid_public_key_of

    result = app.test_cli_runner().invoke(args=["notify", "keys"])
    assert result.exit_code == 0, result.output
    private = re.search(r"^VAPID_PRIVATE_KEY=([A-Za-z0-9_-]{43})$", result.output, re.M)
    public = re.search(
        r"public key, served to the pages: ([A-Za-z0-9_-]{87})$", result.output, re.M
    )
    assert private and public
    assert vapid_public_key_of(private.group(1)) == public.group(1)
    header = VapidSigner(private.group(1), "mailto:drift@region.se").headers_for(
        "https://fcm.googleapis.com/fcm/send/x"
    )["Authorization"]
    assert header.startswith("vapid t=") and header.endswith(f"k={public.group(1)}")
    again = app.test_cli_runner().invoke(args=["notify", "keys"]).output
    assert private.group(1) not in again  # a new pair each time
