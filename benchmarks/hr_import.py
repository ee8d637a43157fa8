"""`python -m benchmarks.hr_import [--rows 5000]`: time `everyseat directory import` of an
ESR-style "staff in post" CSV into a fresh SQLite database, as a separate process like an
admin runs it: first as new staff, again unchanged (the nightly re-import), then with a
chat account for every row (each account's seat is recomputed) and every pay band changed.

Not part of `make bench`'s table: a quick check that an HR import of a large trust takes
seconds, kept here so the figure can be reproduced.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

# The ESR staff groups, and pay bands from Agenda for Change and medical grades.
STAFF_GROUPS = (
    "Add Prof Scientific and Technic",
    "Additional Clinical Services",
    "Administrative and Clerical",
    "Allied Health Professionals",
    "Estates and Ancillary",
    "Healthcare Scientists",
    "Medical and Dental",
    "Nursing and Midwifery Registered",
    "Students",
)
PAY_BANDS = (
    *(f"Band {band}" for band in ("2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9")),
    "Consultant",
    "Specialty Registrar",
)
HEADER = (
    "Employee Number",
    "Full Name",
    "Email Address",
    "Staff Group",
    "Job Role",
    "Organisation",
    "Location",
    "Pay Band",
)


def write_esr_csv(path: Path, rows: int, band_offset: int = 0) -> None:
    """`rows` staff over 9 staff groups, 200 job roles, 60 departments and 4 sites."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for number in range(rows):
            writer.writerow(
                (
                    f"{10_000_000 + number}",
                    f"Person {number}",
                    f"person{number}@trust.nhs.uk",
                    STAFF_GROUPS[number % len(STAFF_GROUPS)],
                    f"Job role {number % 200}",
                    f"123 Department {number % 60}",
                    f"Site {number % 4}",
                    PAY_BANDS[(number + band_offset) % len(PAY_BANDS)],
                )
            )


def time_import(csv_path: Path, database_url: str) -> float:
    """Seconds for one `everyseat directory import` process, start to exit."""
    env = {**os.environ, "DATABASE_URL": database_url}
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bot", "directory", "import", str(csv_path)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - began


def add_chat_accounts(database_url: str, rows: int) -> None:
    """A Teams account with the work email of every row, as a directory sync leaves them."""
    from sqlalchemy.orm import Session

    from bot.people.directory import MemberProfile, get_or_create_workspace, save_profiles
    from db.engine import create_database_engine

    engine = create_database_engine(database_url)
    try:
        with Session(engine) as session:
            now = datetime.now(UTC)
            workspace = get_or_create_workspace(session, "teams", "tenant-bench", now)
            profiles = (
                MemberProfile(
                    f"aad-{number}", f"Person {number}", email=f"person{number}@trust.nhs.uk"
                )
                for number in range(rows)
            )
            save_profiles(session, workspace.id, profiles, now)
            session.commit()
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.hr_import", description=__doc__)
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="everyseat-hr-bench-") as folder:
        csv_path = Path(folder) / "staff_in_post.csv"
        write_esr_csv(csv_path, args.rows)
        url = f"sqlite:///{Path(folder) / 'everyseat.db'}"
        subprocess.run(
            [sys.executable, "-m", "bot", "db", "upgrade"],
            env={**os.environ, "DATABASE_URL": url},
            check=True,
            stdout=subprocess.DEVNULL,
        )
        first = time_import(csv_path, url)
        again = time_import(csv_path, url)
        add_chat_accounts(url, args.rows)
        write_esr_csv(csv_path, args.rows, band_offset=1)
        with_accounts = time_import(csv_path, url)
    load = os.getloadavg()
    print(f"{args.rows} rows: first import {first:.2f} s, unchanged re-import {again:.2f} s")
    print(f"every pay band changed, {args.rows} chat accounts re-seated: {with_accounts:.2f} s")
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
