"""learning gain summaries

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 06:40:00

The learning gain per concept was computed from every answer of the cohort's pre-tests and quizzes
on each report; at 10,000 learners that took a second. Two summary tables now hold it, like the
other report figures: learner_concept (per learner and concept, right and answered before and
after) and cohort_concept (per cohort and concept, the learners and the sums of their shares).
They are filled from the stored attempts here.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learner_concept",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("concept_id", sa.String(length=64), nullable=False),
        sa.Column("pre_right", sa.Integer(), nullable=False),
        sa.Column("pre_answered", sa.Integer(), nullable=False),
        sa.Column("post_right", sa.Integer(), nullable=False),
        sa.Column("post_answered", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name="fk_learner_concept_user_id_user", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "concept_id", name="pk_learner_concept"),
    )
    op.create_table(
        "cohort_concept",
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("concept_id", sa.String(length=64), nullable=False),
        sa.Column("learners", sa.Integer(), nullable=False),
        sa.Column("pre_share_sum", sa.Float(), nullable=False),
        sa.Column("post_share_sum", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name="fk_cohort_concept_cohort_id_cohort",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cohort_id", "concept_id", name="pk_cohort_concept"),
    )
    from app.services.reporting.learning_gain import rebuild_concepts

    rebuild_concepts(op.get_bind())


def downgrade() -> None:
    op.drop_table("cohort_concept")
    op.drop_table("learner_concept")
