"""The unit's pages as its leader uses them: Så säger våra patienter (the table, its charts and
its CSV saying the same), the months one may ask for, and who may see them; the leader role
set by the unit's administrator."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token, register_with_invitation
from webapp.extensions import db
from webapp.people import services as people
from webapp.people.models import StaffMember
from webapp.receipt import services as receipts


@pytest.fixture
def leader(unit):
    member = people.staff_create(
        unit=unit, name="Vera Chef", title="Verksamhetschef", is_quality_lead=True
    )
    db.session.commit()
    return member


@pytest.fixture
def answered(clock, nurse):
    """Fifteen patients from 1 September 2026; in October twelve say yes to question 1 and
    three say nej; the care side says yes to question 1 for all fifteen."""
    clock.now = datetime(2026, 9, 1, 12, tzinfo=UTC)
    patients = [
        people.patient_create(
            created_by=nurse, name=f"Patient {n}", phone="070-000 00 00", personal_number=None
        )
        for n in range(15)
    ]
    clock.now = datetime(2026, 10, 10, 12, tzinfo=UTC)
    for index, patient in enumerate(patients):
        for side, by, value in (
            ("patient", patient.user, "yes" if index < 12 else "no"),
            ("care", nurse.user, "yes"),
        ):
            receipts.receipt_answer_save(
                patient=patient, side=side, question=1, answer=value, comment=None, by_user=by
            )
    clock.now = datetime(2026, 12, 2, 12, tzinfo=UTC)  # November is over
    db.session.commit()
    return patients


def signed_in(app, user):
    client = app.test_client()
    register_with_invitation(client, user)
    return client


def page(client, unit_id, query=""):
    return client.get(f"/enhet/{unit_id}/kvalitet{query}")


def cells(html, caption):
    """The rows of the table with this caption, each a list of its cells' text."""
    table = html[html.index(caption) :]
    table = table[: table.index("</table>")]
    body = table[table.index("<tbody>") :]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        texts = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"<[^>]+>", " ", text).split() for text in texts])
    return rows


def test_the_leader_sees_the_unit_without_a_name(app, answered, leader):
    html = page(signed_in(app, leader.user), leader.care_unit_id).get_data(as_text=True)
    assert "Så säger våra patienter" in html
    assert "Patient 1" not in html and "Karin Lind" not in html
    # November: 12 yes (shown as 10) and 3 nej (fewer than five), question 1, patient side.
    first = cells(html, "Antal och andel av svaren i slutet av november 2026")[0]
    assert first[1:4] == [["10", "100", "%"], ["färre", "än", "5"], ["färre", "än", "5"]]
    assert first[4] == ["15", "100", "%"]  # the care side: 15 yes


def test_the_administrator_sees_it_and_a_colleague_does_not(app, answered, nurse, unit):
    assert page(signed_in(app, nurse.user), unit.id).status_code == 200  # nurse is admin
    colleague = people.staff_create(unit=unit, name="Lena Kollega", title="Undersköterska")
    db.session.commit()
    assert page(signed_in(app, colleague.user), unit.id).status_code == 404


def test_another_units_figures_are_404(app, answered, leader, other_unit_nurse):
    client = signed_in(app, leader.user)
    assert page(client, other_unit_nurse.care_unit_id).status_code == 404
    assert client.get(f"/enhet/{other_unit_nurse.care_unit_id}/kvalitet.csv").status_code == 404
    assert page(client, 999_999).status_code == 404


def test_an_impossible_month_in_the_csv_is_a_plain_400(app, answered, leader):
    client = signed_in(app, leader.user)
    response = client.get(f"/enhet/{leader.care_unit_id}/kvalitet.csv?till=2026-13")
    assert response.status_code == 400
    assert "Skriv månaden som år och månad" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2026-13", "Skriv månaden som år och månad"),
        ("november", "Skriv månaden som år och månad"),
        ("2026-00", "Skriv månaden som år och månad"),
        ("2027-01", "Den månaden har inte börjat ännu"),
        ("2026-12", "Den här månaden är inte slut ännu"),
        ("1999-12", "Välj en månad från år 2000"),
    ],
)
def test_an_impossible_month_says_so_and_keeps_what_was_typed(
    app, answered, leader, typed, message
):
    response = page(signed_in(app, leader.user), leader.care_unit_id, f"?till={typed}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert f'value="{typed}"' in html
    assert "Etablerade patientkontrakt per månad" not in html


def test_an_earlier_month_moves_the_window(app, answered, leader):
    html = page(signed_in(app, leader.user), leader.care_unit_id, "?till=2026-09").get_data(
        as_text=True
    )
    assert "Svaren i september 2026" in html
    assert "november 2026" not in html


def test_the_csv_says_what_the_table_says(app, answered, leader):
    client = signed_in(app, leader.user)
    html = page(client, leader.care_unit_id).get_data(as_text=True)
    response = client.get(f"/enhet/{leader.care_unit_id}/kvalitet.csv?till=2026-11")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(
        csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    header, rows = rows[0], rows[1:]
    assert header[:5] == ["Vårdenhet", "Månad", "Fråga", "Sida", "Ja"]
    assert len(rows) == 12 * (2 + 7 * 2)
    november = [row for row in rows if row[1] == "2026-11"]
    table = cells(html, "Antal och andel av svaren i slutet av november 2026")
    for number, line in enumerate(table, start=1):
        patient_row = next(
            r for r in november if r[2].startswith(f"{number}.") and r[3] == "Patienterna"
        )
        care_row = next(r for r in november if r[2].startswith(f"{number}.") and r[3] == "Vården")
        for csv_row, shown in ((patient_row, line[1:4]), (care_row, line[4:7])):
            for count, share, text in zip(csv_row[4:7], csv_row[7:10], shown, strict=True):
                assert " ".join(text) == " ".join(part for part in (count, share) if part)
    established = cells(html, "Etablerade patientkontrakt per månad")
    by_month = {row[1]: row for row in rows if row[2] == "Patienter på enheten"}
    assert by_month["2026-11"][4] == " ".join(established[-1][2]) == "15"
    assert by_month["2026-08"][4] == " ".join(established[-4][2]) == "färre än 5"


def test_the_chart_draws_what_the_table_says(app, answered, leader):
    html = page(signed_in(app, leader.user), leader.care_unit_id).get_data(as_text=True)
    start = html.index('aria-labelledby="fraga-1-title fraga-1-desc"')
    svg = html[html.rindex("<svg", 0, start) :]
    svg = svg[: svg.index("</svg>")]
    table = cells(html, "Andel ja per månad, fråga 1")
    patient_shares = [row[1] for row in table]
    care_shares = [row[2] for row in table]
    # A dot per month with a figure for the patients, a square per month for care.
    assert svg.count("<circle") == sum(1 for share in patient_shares if share[-1] == "%")
    assert svg.count("<rect") == sum(1 for share in care_shares if share[-1] == "%")
    assert svg.count("<circle") == 2  # October and November
    # ... at the height of the share: 100 % is the top of the plot (y 12), 0 % its foot (186).
    heights = [float(y) for y in re.findall(r'<circle[^>]* cy="([\d.]+)"', svg)]
    shares = [int(share[0]) for share in patient_shares if share[-1] == "%"]
    assert heights == [186 - share / 100 * 174 for share in shares]
    # The description says the first and last figures the table shows, in words.
    assert "Patienterna: 100 % i oktober 2026 och 100 % i november 2026." in svg
    assert '<title id="fraga-1-title">' in svg and 'role="img"' in svg


def test_the_administrator_makes_a_colleague_leader_and_back(app, nurse, unit):
    colleague = people.staff_create(unit=unit, name="Lena Kollega", title="Undersköterska")
    db.session.commit()
    admin = signed_in(app, nurse.user)
    token = csrf_token(admin, "/vard/personal")
    path = f"/enhet/personal/{colleague.id}/verksamhetschef"
    response = admin.post(path, data={"csrf_token": token, "lead": "1"})
    assert response.status_code == 303
    html = admin.get("/vard/personal").get_data(as_text=True)
    assert "Lena Kollega ser nu enhetens siffror och inga patienter." in html
    assert db.session.get(StaffMember, colleague.id).is_quality_lead
    lena = signed_in(app, colleague.user)
    assert lena.get("/").headers["Location"].endswith("/enhet/")
    assert lena.get("/vard/").status_code == 404
    admin.post(path, data={"csrf_token": token, "lead": "0"})
    assert not db.session.get(StaffMember, colleague.id).is_quality_lead
    assert lena.get("/vard/").status_code == 200


def test_a_care_contact_cannot_be_made_leader(app, patient, nurse, physician):
    admin = signed_in(app, nurse.user)
    token = csrf_token(admin, "/vard/personal")
    response = admin.post(
        f"/enhet/personal/{physician.id}/verksamhetschef",
        data={"csrf_token": token, "lead": "1"},
        follow_redirects=True,
    )
    assert "Ali Hassan är fast vårdkontakt eller läkare för 1 patienter" in response.get_data(
        as_text=True
    )
    assert not db.session.get(StaffMember, physician.id).is_quality_lead


def test_only_an_administrator_sets_the_role_and_only_at_her_unit(
    app, unit, nurse, other_unit_nurse
):
    colleague = people.staff_create(unit=unit, name="Lena Kollega", title="Undersköterska")
    db.session.commit()
    lena = signed_in(app, colleague.user)
    token = csrf_token(lena, "/vard/")
    path = f"/enhet/personal/{colleague.id}/verksamhetschef"
    assert lena.post(path, data={"csrf_token": token, "lead": "1"}).status_code == 404
    admin = signed_in(app, nurse.user)
    response = admin.post(
        f"/enhet/personal/{other_unit_nurse.id}/verksamhetschef",
        data={"csrf_token": csrf_token(admin, "/vard/personal"), "lead": "1"},
        follow_redirects=True,
    )
    assert "Personen finns inte på din vårdenhet." in response.get_data(as_text=True)
    leaders = db.session.scalars(select(StaffMember).where(StaffMember.is_quality_lead)).all()
    assert leaders == []


def test_the_page_costs_the_same_few_queries_for_a_larger_unit(app, answered, leader, nurse):
    from tests.conftest import count_queries

    unit_id = leader.care_unit_id
    client = signed_in(app, leader.user)
    page(client, unit_id)  # counts and keeps the twelve months
    with count_queries() as few:
        assert page(client, unit_id).status_code == 200
    for n in range(20):
        people.patient_create(
            created_by=nurse, name=f"Fler {n}", phone="070-000 00 00", personal_number=None
        )
    db.session.commit()
    with count_queries() as same:
        page(client, unit_id)
    # The session with the account, the unit's name, the kept months, the stories' count.
    assert len(same) == len(few) == 4, [statement[:60] for statement in few]
