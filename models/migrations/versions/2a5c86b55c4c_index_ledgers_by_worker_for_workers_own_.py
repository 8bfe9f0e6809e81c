"""Index the ledgers by worker: 查工资 and 未收到 look a worker up across all projects.

Revision ID: 2a5c86b55c4c
Revises: 5547fcfeb2c6
Create Date: 2026-11-25 19:47:29.590363
"""

from collections.abc import Sequence

from alembic import op

revision: str = "2a5c86b55c4c"
down_revision: str | None = "5547fcfeb2c6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("public_posts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_public_posts_worker_id"), ["worker_id"], unique=False)

    with op.batch_alter_table("trainings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trainings_worker_id"), ["worker_id"], unique=False)

    with op.batch_alter_table("wage_payments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wage_payments_worker_id_period"), ["worker_id", "period"], unique=False
        )

    with op.batch_alter_table("work_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_work_records_worker_id_period"), ["worker_id", "period"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("work_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_records_worker_id_period"))

    with op.batch_alter_table("wage_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wage_payments_worker_id_period"))

    with op.batch_alter_table("trainings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trainings_worker_id"))

    with op.batch_alter_table("public_posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_public_posts_worker_id"))
