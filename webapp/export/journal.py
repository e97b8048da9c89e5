"""Text till journalen: an agreed version as plain text under the headings the regions'
journal templates use, for the care contact to paste into the journal. Always in Swedish,
the journal's language, whatever language the care contact reads Nära in."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale, format_datetime

from webapp.agreement.models import WORSE_TEXTS, AgreementVersion, Responsible
from webapp.agreement.services import what_matters_texts
from webapp.export.words import _
from webapp.followups import services as followups
from webapp.people.models import Patient, StaffMember, User
from webapp.selfcare.models import GoalKind, SelfCareGoal
from webapp.whatmatters.services import whatmatters_list


@dataclass(frozen=True)
class Section:
    heading: str
    lines: list[str]


# The order the journal lists who does what in: patient, relatives, care.
WHO_ORDER = (
    (Responsible.PATIENT,),
    (Responsible.RELATIVE,),
    (Responsible.CARE_CONTACT, Responsible.OTHER_CARE),
)


def _when(moment: object) -> str:
    return str(format_datetime(moment, "d MMMM yyyy 'kl.' HH:mm"))


def _staff_line(role: str, staff: StaffMember | None) -> str:
    if staff is None:
        return _("%(role)s: ingen utsedd", role=role)
    line = f"{role}: {staff.name}, {staff.title}, {staff.care_unit.name}"
    if staff.reachable_phone:
        line += ", " + _("tfn %(phone)s", phone=staff.reachable_phone)
    return line


def _actions(version: AgreementVersion, goals: list[SelfCareGoal]) -> list[str]:
    lines = [
        f"{item.responsible_label(for_staff=True)}: {item.text}"
        for kinds in WHO_ORDER
        for item in version.actions
        if item.responsible in kinds
    ]
    lines.extend(
        _(
            "Egenvård, %(who)s: %(title)s",
            who=goal.performer_name or _("Patienten"),
            title=goal.title,
        )
        for goal in goals
        # What care assessed or agreed belongs in the journal; a goal she set alone is hers.
        if goal.is_active and (goal.kind == GoalKind.ASSESSED or goal.agreed_by_staff_id)
    )
    return lines or [_("Inga åtgärder är skrivna.")]


def journal_sections(
    *,
    patient: Patient,
    version: AgreementVersion,
    goals: list[SelfCareGoal],
    users: dict[int, User],
) -> list[Section]:
    """The version under the journal's headings. `users` names who consented."""
    with force_locale("sv"):
        statements = [s.text for s in whatmatters_list(patient=patient).active]
        tied = what_matters_texts({i.what_matters_id for i in version.goals if i.what_matters_id})
        goal_lines = []
        for item in version.goals:
            found = tied.get(item.what_matters_id) if item.what_matters_id else None
            builds_on = _("bygger på: %(text)s", text=found.text) if found else ""
            goal_lines.append(f"{item.text} ({builds_on})" if builds_on else item.text)
        soon = followups.for_overview(patient).next
        next_line = _("Ingen planerad kontakt.")
        if soon is not None:
            what = soon.call_words_staff or soon.with_whom
            next_line = f"{_when(soon.starts_at)}, {soon.kind_words}" + (
                f", {what}" if what else ""
            )
            if soon.place:
                next_line += f", {soon.place}"
            next_line += f". {soon.purpose}"
        worse = [
            f"{label}: {getattr(version, field)}"
            for field, label in WORSE_TEXTS.items()
            if getattr(version, field)
        ]

        def consent(at: object, user_id: int | None, side: str) -> str:
            user = users.get(user_id) if user_id is not None else None
            if at is None:
                return _("%(side)s: inte samtyckt", side=side)
            by = f" ({user.name})" if user else ""
            return _("%(side)s samtyckte %(when)s", side=side, when=_when(at)) + by

        agreed = [
            _(
                "Version %(n)s, överenskommen %(when)s.",
                n=version.number,
                when=_when(version.agreed_at),
            )
            if version.agreed_at
            else _("Version %(n)s.", n=version.number),
            consent(version.patient_consent_at, version.patient_consent_by_user_id, _("Patienten")),
            consent(version.care_consent_at, version.care_consent_by_user_id, _("Vården")),
        ]
        return [
            Section(_("Vad är viktigt för patienten"), statements or [_("Inget skrivet.")]),
            Section(_("Mål"), goal_lines or [_("Inga mål är skrivna.")]),
            Section(_("Åtgärder och ansvar – patient, närstående, vård"), _actions(version, goals)),
            Section(
                _("Fast vårdkontakt och fast läkarkontakt"),
                [
                    _staff_line(_("Fast vårdkontakt"), patient.care_contact),
                    _staff_line(_("Fast läkarkontakt"), patient.physician),
                ],
            ),
            Section(_("Nästa planerade kontakt"), [next_line]),
            Section(_("Vid försämring"), worse or [_("Inget skrivet.")]),
            Section(_("Överenskommet datum och samtycke"), agreed),
        ]


def journal_text(sections: list[Section]) -> str:
    """The sections as the plain text that is pasted: a heading, its lines, a blank line."""
    return "\n\n".join(
        "\n".join([section.heading, *(f"- {line}" for line in section.lines)])
        for section in sections
    )
