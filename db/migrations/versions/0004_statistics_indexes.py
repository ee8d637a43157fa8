"""Covering indexes for statistics: a period's nominators, and members by seat, without reading rows

Revision ID: 0004_statistics_indexes
Revises: 0005_directory
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0004_statistics_indexes"
down_revision = "0005_directory"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Statistics read every nomination of a period for its nominator; with the nominator in
    # the index that is an index range scan, not one table row (and its story) per nomination.
    op.create_index(
        "ix_nomination_workspace_created_nominator",
        "nomination",
        ["workspace_id", "created_at", "nominator_id"],
    )
    # Seats and departments with their active members, read from the index alone.
    op.create_index(
        "ix_member_workspace_statistics",
        "member",
        ["workspace_id", "is_bot", "is_deactivated", "title", "department"],
    )


def downgrade() -> None:
    op.drop_index("ix_member_workspace_statistics", table_name="member")
    op.drop_index("ix_nomination_workspace_created_nominator", table_name="nomination")
