"""payroll: worker accounts, liaison phone, payroll notices

Revision ID: b5730f1ccdca
Revises: 7d3e9a1c5b20
Create Date: 2026-12-01 05:26:19.809477
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "b5730f1ccdca"
down_revision: str | None = "7d3e9a1c5b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "payroll_notices",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "project_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("workers", sa.Integer(), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_payroll_notices_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payroll_notices")),
    )
    with op.batch_alter_table("payroll_notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payroll_notices_ends_on"), ["ends_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_payroll_notices_project_id_period"),
            ["project_id", "period"],
            unique=False,
        )

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone_cipher", sa.String(length=200), nullable=True))

    with op.batch_alter_table("workers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account_type", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("account_cipher", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("account_masked", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("account_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("bank", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.create_index(batch_op.f("ix_workers_account_hash"), ["account_hash"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("workers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workers_account_hash"))
        batch_op.drop_column("bank")
        batch_op.drop_column("account_hash")
        batch_op.drop_column("account_masked")
        batch_op.drop_column("account_cipher")
        batch_op.drop_column("account_type")

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_column("phone_cipher")

    with op.batch_alter_table("payroll_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payroll_notices_project_id_period"))
        batch_op.drop_index(batch_op.f("ix_payroll_notices_ends_on"))

    op.drop_table("payroll_notices")
