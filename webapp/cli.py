"""Flask commands: the first administrator and the demo data."""

from __future__ import annotations

from collections.abc import Callable
from typing import NotRequired, TypedDict

import click
from flask import Flask
from sqlalchemy import select

from webapp.auth import services as auth_services
from webapp.auth.models import InvitationPurpose
from webapp.demo import demo_plan_load
from webapp.extensions import db
from webapp.notify import cli as notify_cli
from webapp.people import services as people
from webapp.people.models import CareUnit, Patient, StaffMember, User
from webapp.people.personnummer import check_digit
from webapp.quality import cli as quality_cli


def init_app(app: Flask) -> None:
    app.cli.add_command(staff_group)
    app.cli.add_command(demo_group)
    notify_cli.init_app(app)
    quality_cli.init_app(app)


@click.group("staff", help="Staff accounts.")
def staff_group() -> None:
    pass


def _text(limit: int) -> Callable[[click.Context, click.Parameter, str], str]:
    """A click callback: strip the value; refuse it empty or longer than the column allows."""

    def check(_ctx: click.Context, param: click.Parameter, value: str) -> str:
        value = value.strip()
        if not value or len(value) > limit:
            raise click.BadParameter(f"give 1 to {limit} characters", param=param)
        return value

    return check


@staff_group.command("create-admin")
@click.option(
    "--unit",
    "unit_name",
    required=True,
    callback=_text(120),
    help="Care unit name (created if new).",
)
@click.option("--name", required=True, callback=_text(120))
@click.option("--title", default="Administratör", show_default=True, callback=_text(80))
@click.option("--unit-phone", default="")
def create_admin(unit_name: str, name: str, title: str, unit_phone: str) -> None:
    """Create a unit administrator and print their one-time sign-in link."""
    unit = people.care_unit_get_or_create(name=unit_name, phone=unit_phone)
    member = people.staff_create(unit=unit, name=name, title=title, is_unit_admin=True)
    _invitation, token = auth_services.invitation_issue(
        user=member.user, purpose=InvitationPurpose.ONBOARDING, created_by=None
    )
    db.session.commit()  # a command is its own unit of work
    click.echo(f"{member.name} ({unit.name}): {auth_services.invitation_url(token)}")


@click.group("demo", help="Demo data.")
def demo_group() -> None:
    pass


DEMO_UNIT = {
    "name": "Vårdcentralen Nära",
    "phone": "010-123 45 00",
    "phone_hours": "Vardagar 8–16, lunchstängt 12–13",
    "address": "Storgatan 1, 123 45 Nära",
}


class DemoStaff(TypedDict):
    """A demo staff member: people.staff_create's arguments, the unit aside."""

    name: str
    title: str
    phone: NotRequired[str]
    phone_hours: NotRequired[str]
    is_physician: NotRequired[bool]
    is_unit_admin: NotRequired[bool]


class DemoPatient(TypedDict):
    name: str
    phone: str
    born: str  # YYMMDD
    serial: str  # the three digits after the date
    with_plan: NotRequired[bool]


DEMO_STAFF: list[DemoStaff] = [
    {
        "name": "Karin Lind",
        "title": "Distriktssköterska",
        "phone": "010-123 45 67",
        "phone_hours": "Vardagar 8–10 och 13–15",
        "is_unit_admin": True,
    },
    {"name": "Ali Hassan", "title": "Specialist i allmänmedicin", "is_physician": True},
]
DEMO_PATIENTS: list[DemoPatient] = [
    {
        "name": "Astrid Berg",
        "phone": "070-111 22 33",
        "born": "490312",
        "serial": "238",
        "with_plan": True,
    },
    {"name": "Gunnar Ek", "phone": "070-444 55 66", "born": "270105", "serial": "417"},
]


def _demo_staff(unit_id: int, spec: DemoStaff) -> StaffMember:
    existing = db.session.scalar(
        select(StaffMember)
        .join(StaffMember.user)
        .where(StaffMember.care_unit_id == unit_id, User.name == spec["name"])
    )
    if existing is not None:
        return existing
    unit = db.session.get(CareUnit, unit_id)
    assert unit is not None
    return people.staff_create(unit=unit, **spec)


@demo_group.command("load")
def load_demo() -> None:
    """Load (or refresh) the demo unit, staff and patients; print one-time sign-in links."""
    unit = people.care_unit_get_or_create(**DEMO_UNIT)
    db.session.commit()
    nurse, physician = (_demo_staff(unit.id, spec) for spec in DEMO_STAFF)
    users: list[User] = [nurse.user, physician.user]
    for spec in DEMO_PATIENTS:
        yymmdd_nnn = spec["born"] + spec["serial"]
        century = "19"
        number = century + yymmdd_nnn + check_digit(yymmdd_nnn)
        patient = db.session.scalar(
            select(Patient).where(
                Patient.personal_number == number, Patient.care_unit_id == unit.id
            )
        )
        if patient is None:
            patient = people.patient_create(
                created_by=nurse,
                name=spec["name"],
                phone=spec["phone"],
                personal_number=number,
                physician_id=physician.id,
            )
        users.append(patient.user)
        if spec.get("with_plan"):
            demo_plan_load(patient=patient, nurse=nurse)
    links = []
    for user in users:
        _invitation, token = auth_services.invitation_issue(
            user=user, purpose=InvitationPurpose.ONBOARDING, created_by=None
        )
        links.append((user.name, auth_services.invitation_url(token)))
    db.session.commit()  # a command is its own unit of work
    click.echo("Demo data is loaded. One-time sign-in links (each works once, for 72 hours):")
    for name, url in links:
        click.echo(f"  {name:<12} {url}")
