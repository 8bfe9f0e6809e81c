"""微信客服: the sync cursor per 客服 account and each customer's window and budget.

Revision ID: b7e4d2a91c35
Revises: b5730f1ccdca
Create Date: 2026-12-01 05:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "b7e4d2a91c35"
down_revision: str | None = "b5730f1ccdca"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kf_cursors",
        sa.Column("open_kfid", sa.String(length=64), nullable=False),
        sa.Column("cursor", sa.String(length=255), nullable=False),
        sa.Column("token", sa.String(length=255), nullable=False),
        sa.Column("token_at", models.base.UTCDateTime(), nullable=True),
        sa.Column("requested", sa.Integer(), nullable=False),
        sa.Column("synced", sa.Integer(), nullable=False),
        sa.Column("locked_until", models.base.UTCDateTime(), nullable=True),
        sa.Column("updated_at", models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("open_kfid", name=op.f("pk_kf_cursors")),
    )
    op.create_table(
        "kf_customers",
        sa.Column("external_userid", sa.String(length=64), nullable=False),
        sa.Column("open_kfid", sa.String(length=64), nullable=False),
        sa.Column("last_msg_at", models.base.UTCDateTime(), nullable=True),
        sa.Column("last_msgid", sa.String(length=128), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("project_code", sa.String(length=32), nullable=False),
        sa.Column("service_state", sa.Integer(), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("external_userid", name=op.f("pk_kf_customers")),
    )


def downgrade() -> None:
    op.drop_table("kf_customers")
    op.drop_table("kf_cursors")
