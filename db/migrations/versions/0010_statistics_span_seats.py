"""Statistics spans remember how often one nomination named several people of one seat

Revision ID: 0010_statistics_span_seats
Revises: 0009_statistics_spans
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_statistics_span_seats"
down_revision = "0009_statistics_spans"
branch_labels = None
depends_on = None

# What a span's seat repeats depend on besides its weeks: a member's seat.
SEAT_COLUMNS = ("title", "department", "staff_group", "pay_band", "workspace_id")
# PostgreSQL's advisory lock on a workspace's seats: (workspace id, -1), beside the weeks'.
SEATS_LOCK = -1


def upgrade() -> None:
    op.execute("DELETE FROM statistics_span")  # built before they held repeats
    op.create_table(
        "statistics_span_seat_repeat",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("first_week", sa.Date(), nullable=False),
        sa.Column("weeks", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(16), nullable=False),
        sa.Column("value", sa.String(255), nullable=True),
        sa.Column("repeats", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "first_week", "weeks"],
            [
                "statistics_span.workspace_id",
                "statistics_span.first_week",
                "statistics_span.weeks",
            ],
            ondelete="CASCADE",
            name="fk_statistics_span_seat_repeat_span",
        ),
    )
    op.create_index(
        "ix_statistics_span_seat_repeat_span",
        "statistics_span_seat_repeat",
        ["workspace_id", "first_week", "weeks"],
    )
    changed = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in SEAT_COLUMNS)
    columns = ", ".join(SEAT_COLUMNS)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"CREATE TRIGGER statistics_member_seat_changed AFTER UPDATE OF {columns} ON member "
            f"WHEN {changed.replace('IS DISTINCT FROM', 'IS NOT')} BEGIN "
            "DELETE FROM statistics_span "
            "WHERE workspace_id IN (OLD.workspace_id, NEW.workspace_id); END"
        )
    else:
        op.execute(
            "CREATE FUNCTION statistics_member_seat_changed() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"PERFORM pg_advisory_xact_lock_shared(OLD.workspace_id, {SEATS_LOCK}); "
            f"PERFORM pg_advisory_xact_lock_shared(NEW.workspace_id, {SEATS_LOCK}); "
            "DELETE FROM statistics_span "
            "WHERE workspace_id IN (OLD.workspace_id, NEW.workspace_id); "
            "RETURN NULL; END $$"
        )
        op.execute(
            f"CREATE TRIGGER statistics_member_seat_changed AFTER UPDATE OF {columns} ON member "
            f"FOR EACH ROW WHEN ({changed}) "
            "EXECUTE FUNCTION statistics_member_seat_changed()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS statistics_member_seat_changed")
    else:
        op.execute("DROP TRIGGER IF EXISTS statistics_member_seat_changed ON member")
        op.execute("DROP FUNCTION IF EXISTS statistics_member_seat_changed()")
    op.drop_index("ix_statistics_span_seat_repeat_span", table_name="statistics_span_seat_repeat")
    op.drop_table("statistics_span_seat_repeat")
