"""decisions on answers given to older versions of changed questions

Revision ID: 0005_content_decisions
Revises: 0004
Create Date: 2026-12-02 17:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "content_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.String(length=64), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("question_version", sa.String(length=16), nullable=False),
        sa.Column("content_version", sa.String(length=40), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_via", sa.String(length=120), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("forced", sa.Boolean(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("attempts_changed", sa.Integer(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("reverted_at", sa.DateTime(), nullable=True),
        sa.Column("reverted_via", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user.id"],
            name="fk_content_decision_decided_by_id_user",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_content_decision"),
    )
    with op.batch_alter_table("content_decision") as batch_op:
        batch_op.create_index("ix_content_decision_question", ["quiz_id", "question_id"])
        batch_op.create_index("ix_content_decision_decided_by_id", ["decided_by_id"])


def downgrade() -> None:
    with op.batch_alter_table("content_decision") as batch_op:
        batch_op.drop_index("ix_content_decision_decided_by_id")
        batch_op.drop_index("ix_content_decision_question")
    op.drop_table("content_decision")
