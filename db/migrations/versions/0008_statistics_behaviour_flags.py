"""People per behaviour from one row per person: a flag per behaviour, summed per member-week

Revision ID: 0008_statistics_behaviour_flags
Revises: 0007_statistics_weeks
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_statistics_behaviour_flags"
down_revision = "0007_statistics_weeks"
branch_labels = None
depends_on = None

ROLLUPS = (
    "statistics_recipient_week",
    "statistics_nominator_week",
    "statistics_behaviour_week",
    "statistics_shared_nomination",
)


def _of_week(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace_id", "week"],
        ["statistics_week.workspace_id", "statistics_week.week"],
        ondelete="CASCADE",
        name=f"fk_{table}_week",
    )


def _forget_built_weeks() -> None:
    """Rollups are only ever a shortcut: drop them all, to be rebuilt in the new shape (the
    weeks are read raw meanwhile)."""
    for table in (*ROLLUPS, "statistics_week"):
        op.execute(f"DELETE FROM {table}")


def upgrade() -> None:
    _forget_built_weeks()
    op.drop_index(
        "ix_statistics_behaviour_recipient_week", table_name="statistics_behaviour_recipient"
    )
    op.drop_table("statistics_behaviour_recipient")
    op.create_table(
        "statistics_behaviour_flag",
        sa.Column("behaviour_slug", sa.String(64), primary_key=True),
        sa.Column("flag", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("flag", name="uq_statistics_behaviour_flag_flag"),
    )
    op.add_column(
        "statistics_recipient_week",
        sa.Column("behaviours", sa.BigInteger(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    _forget_built_weeks()
    op.drop_table("statistics_behaviour_flag")
    # Recreated as 0007 made it: a column can't be dropped from every SQLite in place.
    op.drop_table("statistics_recipient_week")
    op.create_table(
        "statistics_recipient_week",
        sa.Column("workspace_id", sa.Integer(), primary_key=True),
        sa.Column("week", sa.Date(), primary_key=True),
        sa.Column("member_id", sa.Integer(), primary_key=True),
        sa.Column("received", sa.Integer(), nullable=False),
        _of_week("statistics_recipient_week"),
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
