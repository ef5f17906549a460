"""item analysis on each answer's credit: the question summaries sum fractions

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 07:00:00

cohort_question's x becomes the credit an answer earned (a fraction under partial scoring)
instead of 1 or 0 for fully right, so `sum_x` is the credit earned in all and `sum_xx` the sum of
its squares: both become floats. The summary tables 0003 made are then filled again from the
stored attempts and answers, with the app's own rebuild (this is the newest revision that
changes what they hold, so it is the one that fills them; see 0003). Later revisions fill the
summaries they add.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

CREDIT_SUMS = ("sum_x", "sum_xx")


def _retype(to_type: sa.types.TypeEngine, from_type: sa.types.TypeEngine) -> None:
    with op.batch_alter_table("cohort_question") as batch:
        for column in CREDIT_SUMS:
            batch.alter_column(
                column, type_=to_type, existing_type=from_type, existing_nullable=False
            )


def upgrade() -> None:
    _retype(sa.Float(), sa.Integer())
    # Needs the app, which `flask db upgrade` provides: module completion and ordering
    # questions are judged against the course content.
    from app.services.reporting import item_analysis, module_progress, quiz_scores, weekly_activity

    connection = op.get_bind()
    quiz_scores.rebuild(connection)  # first: the others read learner_quiz
    weekly_activity.rebuild(connection)
    module_progress.rebuild(connection)
    item_analysis.rebuild(connection)


def downgrade() -> None:
    # Back to whole answers: x is 1 for a fully right answer, else 0 (so Σx = Σx² = correct).
    # The sums with y differ only for partial-credit answers: the older app's
    # `flask cohorts rebuild-summaries` computes them again its way.
    op.execute("UPDATE cohort_question SET sum_x = correct, sum_xx = correct")
    _retype(sa.Integer(), sa.Float())
