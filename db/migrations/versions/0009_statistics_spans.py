"""Statistics spans: a period's whole weeks summed per person, dropped with any of its weeks

Revision ID: 0009_statistics_spans
Revises: 0008_statistics_behaviour_flags
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_statistics_spans"
down_revision = "0008_statistics_behaviour_flags"
branch_labels = None
depends_on = None


def _span_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("workspace_id", sa.Integer(), primary_key=True),
        sa.Column("first_week", sa.Date(), primary_key=True),
        sa.Column("weeks", sa.Integer(), primary_key=True),
    ]


def _of_span(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace_id", "first_week", "weeks"],
        [
            "statistics_span.workspace_id",
            "statistics_span.first_week",
            "statistics_span.weeks",
        ],
        ondelete="CASCADE",
        name=f"fk_{table}_span",
    )


def upgrade() -> None:
    op.create_table(
        "statistics_span",
        sa.Column(
            "workspace_id",
            sa.Integer(),
            sa.ForeignKey(
                "workspace.id",
                ondelete="CASCADE",
                name="fk_statistics_span_workspace_id_workspace",
            ),
            primary_key=True,
        ),
        sa.Column("first_week", sa.Date(), primary_key=True),
        sa.Column("weeks", sa.Integer(), primary_key=True),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "statistics_span_recipient",
        *_span_columns(),
        sa.Column("member_id", sa.Integer(), primary_key=True),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("behaviours", sa.BigInteger(), nullable=False),
        _of_span("statistics_span_recipient"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "statistics_span_nominator",
        *_span_columns(),
        sa.Column("nominator_id", sa.Integer(), primary_key=True),
        sa.Column("nominations", sa.Integer(), nullable=False),
        _of_span("statistics_span_nominator"),
        sqlite_with_rowid=False,
    )
    # A span holds only built weeks: whatever drops one of them (the triggers of 0007)
    # drops every span it is part of, in the same transaction.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER statistics_week_dropped AFTER DELETE ON statistics_week BEGIN "
            "DELETE FROM statistics_span WHERE workspace_id = OLD.workspace_id "
            "AND first_week <= OLD.week "
            "AND date(first_week, '+' || (weeks * 7) || ' days') > OLD.week; END"
        )
    else:
        op.execute(
            "CREATE FUNCTION statistics_week_dropped() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN "
            "DELETE FROM statistics_span WHERE workspace_id = OLD.workspace_id "
            "AND first_week <= OLD.week AND first_week + weeks * 7 > OLD.week; "
            "RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER statistics_week_dropped AFTER DELETE ON statistics_week "
            "FOR EACH ROW EXECUTE FUNCTION statistics_week_dropped()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS statistics_week_dropped")
    else:
        op.execute("DROP TRIGGER IF EXISTS statistics_week_dropped ON statistics_week")
        op.execute("DROP FUNCTION IF EXISTS statistics_week_dropped()")
    for table in ("statistics_span_nominator", "statistics_span_recipient", "statistics_span"):
        op.drop_table(table)
