"""summary tables for the cohort report, filled from the existing rows

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _user(table: str) -> list:
    return [
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=f"fk_{table}_user_id_user", ondelete="CASCADE"
        ),
    ]


def _cohort(table: str) -> list:
    return [
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohort.id"], name=f"fk_{table}_cohort_id_cohort", ondelete="CASCADE"
        ),
    ]


def _question(table: str) -> list:
    return [
        *_cohort(table),
        sa.Column("quiz_id", sa.String(length=64), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("question_version", sa.String(length=16), nullable=False),
    ]


def upgrade():
    op.create_table(
        "learner_quiz",
        *_user("learner_quiz"),
        sa.Column("quiz_id", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("best_score", sa.Integer(), nullable=False),
        sa.Column("best_ratio", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("first_attempt_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "quiz_id", name="pk_learner_quiz"),
    )
    op.create_table(
        "learner_week",
        *_user("learner_week"),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("lessons", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "week", name="pk_learner_week"),
    )
    op.create_table(
        "learner_progress",
        *_user("learner_progress"),
        sa.Column("module_id", sa.String(length=64), nullable=False),
        sa.Column("started", sa.Boolean(), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "module_id", name="pk_learner_progress"),
    )
    op.create_table(
        "cohort_quiz_score",
        *_cohort("cohort_quiz_score"),
        sa.Column("quiz_id", sa.String(length=64), nullable=False),
        sa.Column("best_score", sa.Integer(), nullable=False),
        sa.Column("learners", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("ratio_sum", sa.Float(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("cohort_id", "quiz_id", "best_score", name="pk_cohort_quiz_score"),
    )
    op.create_table(
        "cohort_week",
        *_cohort("cohort_week"),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("active", sa.Integer(), nullable=False),
        sa.Column("lessons", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("cohort_id", "week", name="pk_cohort_week"),
    )
    op.create_table(
        "cohort_progress",
        *_cohort("cohort_progress"),
        sa.Column("module_id", sa.String(length=64), nullable=False),
        sa.Column("started", sa.Integer(), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("cohort_id", "module_id", name="pk_cohort_progress"),
    )
    op.create_table(
        "cohort_question",
        *_question("cohort_question"),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in ("answered", "correct", "sum_x", "sum_y", "sum_xy", "sum_xx", "sum_yy")
        ),
        sa.PrimaryKeyConstraint(
            "cohort_id", "quiz_id", "question_id", "question_version", name="pk_cohort_question"
        ),
    )
    op.create_table(
        "cohort_option",
        *_question("cohort_option"),
        sa.Column("option_id", sa.String(length=64), nullable=False),
        sa.Column("chosen", sa.Integer(), nullable=False),
        sa.Column("in_place", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "cohort_id",
            "quiz_id",
            "question_id",
            "question_version",
            "option_id",
            name="pk_cohort_option",
        ),
    )
    op.create_table(
        "summary_state",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_summary_state"),
    )
    # Fill them from the rows already stored (needs the app, which `flask db upgrade` provides:
    # module completion and ordering questions are judged against the course content).
    # Only the tables this revision makes: later revisions fill the summaries they add.
    from app.services.reporting import item_analysis, module_progress, quiz_scores, weekly_activity

    connection = op.get_bind()
    quiz_scores.rebuild(connection)
    weekly_activity.rebuild(connection)
    module_progress.rebuild(connection)
    item_analysis.rebuild(connection)


def downgrade():
    for table in (
        "summary_state",
        "cohort_option",
        "cohort_question",
        "cohort_progress",
        "cohort_week",
        "cohort_quiz_score",
        "learner_progress",
        "learner_week",
        "learner_quiz",
    ):
        op.drop_table(table)
