"""`flask quality count`: count and keep the months that are over for every unit, so the
first look at "Så säger våra patienter" after a month ends is as quick as any (run it from
cron early on the first of each month; a look counts a month itself if this has not run)."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from webapp.clock import now_utc
from webapp.extensions import db
from webapp.followups.details import local_zone
from webapp.people.models import CareUnit
from webapp.quality.figures import MONTHS, month_add, month_figures


def init_app(app: Flask) -> None:
    app.cli.add_command(quality_group)


@click.group("quality", help="The units' figures (Så säger våra patienter).")
def quality_group() -> None:
    pass


@quality_group.command("count")
@click.option("--months", default=MONTHS, show_default=True, help="How many months back.")
def count(months: int) -> None:
    """Count and keep each unit's months that are over (those kept already are skipped)."""
    zone = local_zone()
    this_month = now_utc().astimezone(zone).date().replace(day=1)
    wanted = [month_add(this_month, -step) for step in range(months, 0, -1)]
    for unit_id, name in db.session.execute(select(CareUnit.id, CareUnit.name)).all():
        month_figures(care_unit_id=unit_id, months=wanted, zone=zone)
        db.session.commit()
        click.echo(f"{name}: {len(wanted)} months counted or kept already")
