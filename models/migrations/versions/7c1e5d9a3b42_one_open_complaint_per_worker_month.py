"""One open wage complaint per (project, worker, month): a partial unique index.

Open duplicates left by concurrent 未收到 before this revision are closed first, as merged
into the earliest one (nothing is deleted).

Revision ID: 7c1e5d9a3b42
Revises: 2a5c86b55c4c
Create Date: 2026-12-01 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c1e5d9a3b42"
down_revision: str | None = "2a5c86b55c4c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("status = 'open'")


def upgrade() -> None:
    op.execute(
        "UPDATE wage_complaints SET status = 'resolved', resolved_at = CURRENT_TIMESTAMP, "
        "resolved_by = 'migration', resolution = '与同一项目、同一月份较早的反映重复，已合并' "
        "WHERE status = 'open' AND EXISTS (SELECT 1 FROM wage_complaints AS w2 "
        "WHERE w2.status = 'open' AND w2.project_id = wage_complaints.project_id "
        "AND w2.worker_id = wage_complaints.worker_id AND w2.period = wage_complaints.period "
        "AND w2.id < wage_complaints.id)"
    )
    with op.batch_alter_table("wage_complaints", schema=None) as batch_op:
        batch_op.create_index(
            "uq_wage_complaints_open",
            ["project_id", "worker_id", "period"],
            unique=True,
            postgresql_where=OPEN,
            sqlite_where=OPEN,
        )


def downgrade() -> None:
    with op.batch_alter_table("wage_complaints", schema=None) as batch_op:
        batch_op.drop_index("uq_wage_complaints_open")
