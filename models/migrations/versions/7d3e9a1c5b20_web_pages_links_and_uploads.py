"""Pages inside WeCom: used single-use wage links, uploads awaiting confirmation.

Revision ID: 7d3e9a1c5b20
Revises: 36b222792d78
Create Date: 2026-12-01 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "7d3e9a1c5b20"
down_revision: str | None = "36b222792d78"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "web_link_uses",
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("worker_id", BigId, nullable=False),
        sa.Column("used_at", models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_web_link_uses")),
    )
    op.create_table(
        "web_uploads",
        sa.Column("id", BigId, nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(), nullable=False),
        sa.Column("consumed_at", models.base.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_uploads")),
        sa.UniqueConstraint("token", name=op.f("uq_web_uploads_token")),
    )
    with op.batch_alter_table("web_uploads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_uploads_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("web_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_uploads_created_at"))
    op.drop_table("web_uploads")
    op.drop_table("web_link_uses")
