"""Statistics read a period's counted nominations, and members' seats, from indexes alone

Revision ID: 0006_statistics_counted
Revises: 0004_statistics_indexes
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_statistics_counted"
down_revision = "0004_statistics_indexes"
branch_labels = None
depends_on = None

COUNTED = "withdrawn_at IS NULL AND hidden_at IS NULL"


def upgrade() -> None:
    # Only nominations that count (bot/nominations/visibility.py), so a period's are an
    # index range with nothing to check in the table; it replaces the index that needed
    # each row read for its withdrawn and hidden marks.
    op.create_index(
        "ix_nomination_counted",
        "nomination",
        ["workspace_id", "created_at", "nominator_id"],
        sqlite_where=sa.text(COUNTED),
        postgresql_where=sa.text(COUNTED),
    )
    op.drop_index("ix_nomination_workspace_created_nominator", table_name="nomination")
    # Active members by seat, department, staff group and pay band, from the index alone.
    op.create_index(
        "ix_member_workspace_seats",
        "member",
        [
            "workspace_id",
            "is_bot",
            "is_deactivated",
            "title",
            "department",
            "staff_group",
            "pay_band",
        ],
    )
    op.drop_index("ix_member_workspace_statistics", table_name="member")


def downgrade() -> None:
    op.create_index(
        "ix_member_workspace_statistics",
        "member",
        ["workspace_id", "is_bot", "is_deactivated", "title", "department"],
    )
    op.drop_index("ix_member_workspace_seats", table_name="member")
    op.create_index(
        "ix_nomination_workspace_created_nominator",
        "nomination",
        ["workspace_id", "created_at", "nominator_id"],
    )
    op.drop_index("ix_nomination_counted", table_name="nomination")
