"""Deliveries (claim-before-send records for scheduled posts) and spotlight history.

Revision ID: 0002_deliveries
Revises: 0001_initial
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.types import UTCDateTime

revision = "0002_deliveries"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("period_key", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("lease_expires_at", UTCDateTime(), nullable=True),
        sa.Column("posted_at", UTCDateTime(), nullable=True),
        sa.Column("message_ts", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_delivery_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery")),
        sa.UniqueConstraint(
            "workspace_id",
            "channel_id",
            "kind",
            "period_key",
            name=op.f("uq_delivery_workspace_id_channel_id_kind_period_key"),
        ),
    )
    with op.batch_alter_table("delivery") as batch_op:
        batch_op.create_index("ix_delivery_status_lease", ["status", "lease_expires_at"])

    op.create_table(
        "spotlight",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=True),
        sa.Column("period_key", sa.String(length=64), nullable=False),
        sa.Column("spotlighted_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_spotlight_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nomination.id"],
            name=op.f("fk_spotlight_nomination_id_nomination"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_spotlight_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spotlight")),
        sa.UniqueConstraint(
            "workspace_id",
            "period_key",
            "member_id",
            name=op.f("uq_spotlight_workspace_id_period_key_member_id"),
        ),
    )
    with op.batch_alter_table("spotlight") as batch_op:
        batch_op.create_index("ix_spotlight_workspace_at", ["workspace_id", "spotlighted_at"])


def downgrade() -> None:
    with op.batch_alter_table("spotlight") as batch_op:
        batch_op.drop_index("ix_spotlight_workspace_at")
    op.drop_table("spotlight")
    with op.batch_alter_table("delivery") as batch_op:
        batch_op.drop_index("ix_delivery_status_lease")
    op.drop_table("delivery")
