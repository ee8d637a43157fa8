"""People across platforms and the sources of their seats (HR import, directory)

Revision ID: 0005_directory
Revises: 0004_moderation
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = "0005_directory"
down_revision = "0004_moderation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("email", name=op.f("uq_person_email")),
    )
    op.create_table(
        "directory_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=True),
        sa.Column("display_name", sa.String(length=255), nullable=True),
        sa.Column("job_title", sa.String(length=255), nullable=True),
        sa.Column("department", sa.String(length=255), nullable=True),
        sa.Column("staff_group", sa.String(length=255), nullable=True),
        sa.Column("pay_band", sa.String(length=64), nullable=True),
        sa.Column("site", sa.String(length=255), nullable=True),
        sa.Column("updated_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("left_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_record")),
        sa.UniqueConstraint("source", "email", name=op.f("uq_directory_record_source_email")),
    )
    with op.batch_alter_table("directory_record", schema=None) as batch_op:
        batch_op.create_index(
            "ix_directory_record_external", ["source", "external_id"], unique=False
        )
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("staff_group", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("pay_band", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("site", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("profile_title", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("profile_department", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("email", sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_member_person_id_person"),
            "person",
            ["person_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index("ix_member_person", ["person_id"], unique=False)
        batch_op.create_index("ix_member_email", ["email"], unique=False)
    # Until now the seat came only from chat profiles.
    op.execute("UPDATE member SET profile_title = title, profile_department = department")


def downgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_index("ix_member_email")
        batch_op.drop_index("ix_member_person")
        batch_op.drop_constraint(batch_op.f("fk_member_person_id_person"), type_="foreignkey")
        for column in (
            "person_id",
            "email",
            "profile_department",
            "profile_title",
            "site",
            "pay_band",
            "staff_group",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("directory_record", schema=None) as batch_op:
        batch_op.drop_index("ix_directory_record_external")
    op.drop_table("directory_record")
    op.drop_table("person")
