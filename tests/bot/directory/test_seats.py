"""A seat is taken field by field from the best source: HR > directory > chat profile."""

from __future__ import annotations

from bot.directory.seats import Seat, combine, refresh_seats_for_emails
from bot.people.directory import MemberProfile, get_or_create_workspace, save_profiles
from bot.services import Services
from db.models import DirectoryRecord
from tests.support.clock import FakeClock


def test_each_field_comes_from_the_highest_source_that_has_it() -> None:
    hr = Seat(job_title="Staff Nurse", staff_group="Nursing and Midwifery Registered")
    directory = Seat(job_title="Nurse", department="Ward 7", site="St Elsewhere")
    profile = Seat(job_title="nurse on 7", department="7B")
    assert combine([hr, directory, profile]) == Seat(
        job_title="Staff Nurse",
        department="Ward 7",
        staff_group="Nursing and Midwifery Registered",
        site="St Elsewhere",
    )
    assert combine([Seat(), Seat(), profile]) == profile


def test_a_chat_profile_refresh_never_overrides_the_hr_seat(
    services: Services, clock: FakeClock
) -> None:
    with services.unit_of_work() as session:
        workspace = get_or_create_workspace(session, "slack", "T1", clock())
        session.add(
            DirectoryRecord(
                source="hr",
                email="ana@trust.nhs.uk",
                job_title="Porter",
                department="Facilities",
                pay_band="Band 2",
                updated_at=clock(),
            )
        )
        session.commit()
        profile = MemberProfile("U1", "Ana", title="Rota lead", email="Ana@Trust.NHS.uk")
        (member,) = save_profiles(session, workspace.id, [profile], clock()).values()
        assert (member.title, member.department, member.pay_band) == (
            "Porter",
            "Facilities",
            "Band 2",
        )
        assert member.profile_title == "Rota lead"
        assert member.email == "ana@trust.nhs.uk"
        assert member.person_id is not None

        # The HR record goes (a leaver): the chat profile's title counts again.
        record = session.query(DirectoryRecord).one()
        record.left_at = clock()
        refresh_seats_for_emails(session, ["ana@trust.nhs.uk"])
        assert (member.title, member.department, member.pay_band) == ("Rota lead", None, None)
