"""quiz review, shuffled options, partial credit and retakes

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 17:45:00

Attempts keep the order their options were shown in and the attempt they retook; scores become
fractional (partial credit), in the attempts and in the report summaries that hold scores.
Old rows read as before: no order (each kind's default order), not a retake, and an answer's
credit taken from `correct`.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# (table, column) whose integers become floats.
FRACTIONAL = [
    ("attempt", "score"),
    ("learner_quiz", "best_score"),
    ("cohort_quiz_score", "best_score"),
    ("cohort_question", "sum_y"),
    ("cohort_question", "sum_xy"),
    ("cohort_question", "sum_yy"),
]


def _retype(to_type: sa.types.TypeEngine, from_type: sa.types.TypeEngine) -> None:
    tables: dict[str, list[str]] = {}
    for table, column in FRACTIONAL:
        tables.setdefault(table, []).append(column)
    for table, columns in tables.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(
                    column, type_=to_type, existing_type=from_type, existing_nullable=False
                )


def _keeping_answers(change: object) -> None:
    """Run `change`, which on SQLite recreates the attempt table: dropping the old one would
    delete its answers (ON DELETE CASCADE, foreign keys on), so they are put back after."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("CREATE TEMPORARY TABLE answer_kept AS SELECT * FROM answer")
    change()
    if sqlite:
        op.execute("INSERT INTO answer SELECT * FROM answer_kept WHERE id NOT IN (SELECT id FROM answer)")
        op.execute("DROP TABLE answer_kept")


def upgrade() -> None:
    with op.batch_alter_table("attempt") as batch:
        batch.add_column(sa.Column("option_order", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("retake_of_id", sa.Integer(), nullable=True))
    _keeping_answers(lambda: _retype(sa.Float(), sa.Integer()))
    with op.batch_alter_table("answer") as batch:
        batch.add_column(sa.Column("credit", sa.Float(), nullable=True))


def downgrade() -> None:
    # Fractional scores are rounded to whole points.
    with op.batch_alter_table("answer") as batch:
        batch.drop_column("credit")
    _keeping_answers(lambda: _retype(sa.Integer(), sa.Float()))
    with op.batch_alter_table("attempt") as batch:
        batch.drop_column("retake_of_id")
        batch.drop_column("option_order")
