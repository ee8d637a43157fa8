"""Weekly rollups of the statistics, dropped by triggers the moment their week changes

Revision ID: 0007_statistics_weeks
Revises: 0006_statistics_counted
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_statistics_weeks"
down_revision = "0006_statistics_counted"
branch_labels = None
depends_on = None

# What a week's rollup is made of (bot/reporting/weekly_rollups.py): a change to any of
# these columns of a nomination, or to its nominees, behaviours or endorsements, drops the
# rollups of the nomination's week (and, for a moved nomination, of its old week).
NOMINATION_COLUMNS = "workspace_id, created_at, nominator_id, withdrawn_at, hidden_at"
PARTS = ("nomination_nominee", "nomination_behaviour", "endorsement")
ROLLUPS = (
    "statistics_recipient_week",
    "statistics_nominator_week",
    "statistics_behaviour_week",
    "statistics_behaviour_recipient",
    "statistics_shared_nomination",
)
# SQLite: the Monday (UTC) on or before a stored timestamp ("YYYY-MM-DD HH:MM:SS.ffffff"),
# from its date alone: SQLite reads time to the millisecond, so 23:59:59.9995 would round
# into the next day (and a Sunday into the next week).
SQLITE_MONDAY = "date(substr({created}, 1, 10), '-6 days', 'weekday 1')"


def _week_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("workspace_id", sa.Integer(), primary_key=True),
        sa.Column("week", sa.Date(), primary_key=True),
    ]


def _of_week(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace_id", "week"],
        ["statistics_week.workspace_id", "statistics_week.week"],
        ondelete="CASCADE",
        name=f"fk_{table}_week",
    )


def upgrade() -> None:
    op.create_table(
        "statistics_week",
        sa.Column(
            "workspace_id",
            sa.Integer(),
            sa.ForeignKey(
                "workspace.id",
                ondelete="CASCADE",
                name="fk_statistics_week_workspace_id_workspace",
            ),
            primary_key=True,
        ),
        sa.Column("week", sa.Date(), primary_key=True),
        sa.Column("nominations", sa.Integer(), nullable=False),
        sa.Column("named_nominations", sa.Integer(), nullable=False),
        sa.Column("endorsements", sa.Integer(), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "statistics_recipient_week",
        *_week_columns(),
        sa.Column("member_id", sa.Integer(), primary_key=True),
        sa.Column("received", sa.Integer(), nullable=False),
        _of_week("statistics_recipient_week"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "statistics_nominator_week",
        *_week_columns(),
        sa.Column("nominator_id", sa.Integer(), primary_key=True),
        sa.Column("nominations", sa.Integer(), nullable=False),
        _of_week("statistics_nominator_week"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "statistics_behaviour_week",
        *_week_columns(),
        sa.Column("behaviour_slug", sa.String(64), primary_key=True),
        sa.Column("nominations", sa.Integer(), nullable=False),
        _of_week("statistics_behaviour_week"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "statistics_behaviour_recipient",
        sa.Column("workspace_id", sa.Integer(), primary_key=True),
        sa.Column("behaviour_slug", sa.String(64), primary_key=True),
        sa.Column("member_id", sa.Integer(), primary_key=True),
        sa.Column("week", sa.Date(), primary_key=True),
        _of_week("statistics_behaviour_recipient"),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_statistics_behaviour_recipient_week",
        "statistics_behaviour_recipient",
        ["workspace_id", "week"],
    )
    op.create_table(
        "statistics_shared_nomination",
        *_week_columns(),
        sa.Column("nomination_id", sa.Integer(), primary_key=True),
        sa.Column("member_id", sa.Integer(), primary_key=True),
        _of_week("statistics_shared_nomination"),
        sqlite_with_rowid=False,
    )
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_triggers()
    else:
        _postgresql_triggers()


def _sqlite_triggers() -> None:
    def drop_week(workspace: str, created: str) -> str:
        return (
            f"DELETE FROM statistics_week WHERE workspace_id = {workspace} "
            f"AND week = {SQLITE_MONDAY.format(created=created)};"
        )

    op.execute(
        "CREATE TRIGGER statistics_nomination_inserted AFTER INSERT ON nomination BEGIN "
        f"{drop_week('NEW.workspace_id', 'NEW.created_at')} END"
    )
    op.execute(
        f"CREATE TRIGGER statistics_nomination_updated AFTER UPDATE OF {NOMINATION_COLUMNS} "
        f"ON nomination BEGIN {drop_week('OLD.workspace_id', 'OLD.created_at')} "
        f"{drop_week('NEW.workspace_id', 'NEW.created_at')} END"
    )
    op.execute(
        "CREATE TRIGGER statistics_nomination_deleted AFTER DELETE ON nomination BEGIN "
        f"{drop_week('OLD.workspace_id', 'OLD.created_at')} END"
    )

    def drop_week_of(nomination_id: str) -> str:
        return (
            "DELETE FROM statistics_week WHERE (workspace_id, week) IN (SELECT workspace_id, "
            f"{SQLITE_MONDAY.format(created='created_at')} FROM nomination "
            f"WHERE id = {nomination_id});"
        )

    for part in PARTS:
        op.execute(
            f"CREATE TRIGGER statistics_{part}_inserted AFTER INSERT ON {part} BEGIN "
            f"{drop_week_of('NEW.nomination_id')} END"
        )
        op.execute(
            f"CREATE TRIGGER statistics_{part}_updated AFTER UPDATE ON {part} BEGIN "
            f"{drop_week_of('OLD.nomination_id')} {drop_week_of('NEW.nomination_id')} END"
        )
        op.execute(
            f"CREATE TRIGGER statistics_{part}_deleted AFTER DELETE ON {part} BEGIN "
            f"{drop_week_of('OLD.nomination_id')} END"
        )


def _postgresql_triggers() -> None:
    # The shared advisory lock keeps a week from being built (weekly_rollups.build_week takes
    # it exclusively, without waiting) while a transaction that changed it is still open.
    op.execute(
        "CREATE FUNCTION statistics_drop_week(workspace integer, created timestamptz) "
        "RETURNS void LANGUAGE plpgsql AS $$ "
        "DECLARE monday date := date_trunc('week', timezone('UTC', created))::date; "
        "BEGIN "
        "PERFORM pg_advisory_xact_lock_shared(workspace, monday - DATE '2000-01-03'); "
        "DELETE FROM statistics_week WHERE workspace_id = workspace AND week = monday; "
        "END $$"
    )
    op.execute(
        "CREATE FUNCTION statistics_nomination_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        "IF TG_OP IN ('UPDATE', 'DELETE') THEN "
        "PERFORM statistics_drop_week(OLD.workspace_id, OLD.created_at); END IF; "
        "IF TG_OP IN ('INSERT', 'UPDATE') THEN "
        "PERFORM statistics_drop_week(NEW.workspace_id, NEW.created_at); END IF; "
        "RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER statistics_nomination_changed "
        f"AFTER INSERT OR DELETE OR UPDATE OF {NOMINATION_COLUMNS} ON nomination "
        "FOR EACH ROW EXECUTE FUNCTION statistics_nomination_changed()"
    )
    op.execute(
        "CREATE FUNCTION statistics_part_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        "IF TG_OP IN ('UPDATE', 'DELETE') THEN "
        "PERFORM statistics_drop_week(workspace_id, created_at) FROM nomination "
        "WHERE id = OLD.nomination_id; END IF; "
        "IF TG_OP IN ('INSERT', 'UPDATE') THEN "
        "PERFORM statistics_drop_week(workspace_id, created_at) FROM nomination "
        "WHERE id = NEW.nomination_id; END IF; "
        "RETURN NULL; END $$"
    )
    for part in PARTS:
        op.execute(
            f"CREATE TRIGGER statistics_{part}_changed AFTER INSERT OR UPDATE OR DELETE "
            f"ON {part} FOR EACH ROW EXECUTE FUNCTION statistics_part_changed()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in ("nomination", *PARTS):
            for event in ("inserted", "updated", "deleted"):
                op.execute(f"DROP TRIGGER IF EXISTS statistics_{table}_{event}")
    else:
        op.execute("DROP TRIGGER IF EXISTS statistics_nomination_changed ON nomination")
        for part in PARTS:
            op.execute(f"DROP TRIGGER IF EXISTS statistics_{part}_changed ON {part}")
        op.execute("DROP FUNCTION IF EXISTS statistics_part_changed()")
        op.execute("DROP FUNCTION IF EXISTS statistics_nomination_changed()")
        op.execute("DROP FUNCTION IF EXISTS statistics_drop_week(integer, timestamptz)")
    op.drop_index(
        "ix_statistics_behaviour_recipient_week", table_name="statistics_behaviour_recipient"
    )
    for table in (*ROLLUPS, "statistics_week"):
        op.drop_table(table)
