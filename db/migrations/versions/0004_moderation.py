"""Moderation: edit and withdraw by authors, flags, hide and restore by admins

Revision ID: 0004_moderation
Revises: 0004_audit
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = "0004_moderation"
down_revision = "0004_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("nomination", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edited_at", db.types.UTCDateTime(timezone=True)))
        batch_op.add_column(sa.Column("withdrawn_at", db.types.UTCDateTime(timezone=True)))
        batch_op.add_column(sa.Column("hidden_at", db.types.UTCDateTime(timezone=True)))
        batch_op.add_column(sa.Column("hidden_by", sa.String(length=128)))
        batch_op.add_column(sa.Column("hidden_reason", sa.Text()))
        batch_op.create_index(
            "ix_nomination_posted", ["posted_channel_id", "posted_message_id"], unique=False
        )
    op.create_table(
        "nomination_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("flagged_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_nomination_flag_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nomination.id"],
            name=op.f("fk_nomination_flag_nomination_id_nomination"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["flagged_by_id"],
            ["member.id"],
            name=op.f("fk_nomination_flag_flagged_by_id_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nomination_flag")),
        sa.UniqueConstraint(
            "nomination_id",
            "flagged_by_id",
            name=op.f("uq_nomination_flag_nomination_id_flagged_by_id"),
        ),
    )
    with op.batch_alter_table("nomination_flag", schema=None) as batch_op:
        batch_op.create_index(
            "ix_nomination_flag_workspace_status", ["workspace_id", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("nomination_flag", schema=None) as batch_op:
        batch_op.drop_index("ix_nomination_flag_workspace_status")
    op.drop_table("nomination_flag")
    with op.batch_alter_table("nomination", schema=None) as batch_op:
        batch_op.drop_index("ix_nomination_posted")
        batch_op.drop_column("hidden_reason")
        batch_op.drop_column("hidden_by")
        batch_op.drop_column("hidden_at")
        batch_op.drop_column("withdrawn_at")
        batch_op.drop_column("edited_at")
