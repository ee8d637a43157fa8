"""One person as `everyseat member show` describes them: their accounts and their seat."""

from __future__ import annotations

from sqlalchemy import select

from bot.directory.linking import linked_accounts
from bot.directory.seats import PRECEDENCE, Seat, seat_summary
from bot.services import Services
from db.models import DirectoryRecord, Person, Workspace


def describe_person(services: Services, who: str) -> str | None:
    """Lines naming the person's accounts, records and counted seat; None if unknown."""
    with services.unit_of_work() as session:
        accounts = linked_accounts(session, who)
        person = (
            session.get(Person, accounts[0].person_id)
            if accounts and accounts[0].person_id
            else None
        )
        email = person.email if person else (accounts[0].email if accounts else None)
        if email is None and "@" in who:
            email = who.strip().lower()
        records = (
            list(session.scalars(select(DirectoryRecord).where(DirectoryRecord.email == email)))
            if email
            else []
        )
        if not accounts and not records:
            return None
        workspaces = {
            workspace.id: workspace
            for workspace in session.scalars(
                select(Workspace).where(Workspace.id.in_({a.workspace_id for a in accounts}))
            )
        }
        lines = [f"Person: {email or 'no verified email'}"]
        for account in accounts:
            workspace = workspaces[account.workspace_id]
            lines.append(
                f"  {workspace.platform} account {account.platform_user_id} "
                f"({account.display_name}) in {workspace.external_id}"
            )
        for record in sorted(records, key=lambda r: PRECEDENCE.index(r.source)):
            status = f", left {record.left_at.date().isoformat()}" if record.left_at else ""
            lines.append(
                f"  {record.source} record {record.external_id or ''}{status}: "
                + seat_summary(
                    Seat(
                        record.job_title,
                        record.department,
                        record.staff_group,
                        record.pay_band,
                        record.site,
                    )
                )
            )
        if accounts:
            first = accounts[0]
            counted = Seat(
                first.title, first.department, first.staff_group, first.pay_band, first.site
            )
            lines.append(f"  Counted seat: {seat_summary(counted)}")
        return "\n".join(lines)
