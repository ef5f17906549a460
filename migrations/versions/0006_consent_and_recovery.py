"""consent before a trainer sees a learner, and password recovery without email (issue 12)

cohort_invitation: a trainer's invitation, accepted or declined by the learner.
password_reset: one-time password-reset links issued by an administrator or trainer.
api_token.expires_at: tokens expire; existing ones get the default 90 days from now.
attempt.idempotency_key: VARCHAR(100), as "api:" + an 80-character key did not fit in 80.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 17:50:00

"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _keeping_answers(from_type: sa.types.TypeEngine, to_type: sa.types.TypeEngine) -> None:
    """Retype attempt.idempotency_key. On SQLite that recreates the attempt table, and dropping
    the old one would delete its answers (ON DELETE CASCADE, foreign keys on): they are put back."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("CREATE TEMPORARY TABLE answer_kept AS SELECT * FROM answer")
    with op.batch_alter_table("attempt") as batch_op:
        batch_op.alter_column("idempotency_key", existing_type=from_type, type_=to_type)
    if sqlite:
        op.execute(
            "INSERT INTO answer SELECT * FROM answer_kept WHERE id NOT IN (SELECT id FROM answer)"
        )
        op.execute("DROP TABLE answer_kept")


def upgrade() -> None:
    op.create_table(
        "cohort_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("invited_by", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name="fk_cohort_invitation_cohort_id_cohort",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name="fk_cohort_invitation_user_id_user", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["invited_by"],
            ["user.id"],
            name="fk_cohort_invitation_invited_by_user",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_cohort_invitation"),
        sa.UniqueConstraint("cohort_id", "user_id", name="uq_cohort_invitation_cohort_id"),
        sa.UniqueConstraint("token_hash", name="uq_cohort_invitation_token_hash"),
    )
    with op.batch_alter_table("cohort_invitation") as batch_op:
        batch_op.create_index("ix_cohort_invitation_user_id", ["user_id"])
    op.create_table(
        "password_reset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("issued_by", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name="fk_password_reset_user_id_user", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["issued_by"],
            ["user.id"],
            name="fk_password_reset_issued_by_user",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_password_reset"),
        sa.UniqueConstraint("token_hash", name="uq_password_reset_token_hash"),
    )
    with op.batch_alter_table("password_reset") as batch_op:
        batch_op.create_index("ix_password_reset_user_id", ["user_id"])
    with op.batch_alter_table("api_token") as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
    token = sa.table("api_token", sa.column("expires_at", sa.DateTime()))
    grace = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=90)
    op.execute(token.update().where(token.c.expires_at.is_(None)).values(expires_at=grace))
    _keeping_answers(sa.String(80), sa.String(100))


def downgrade() -> None:
    _keeping_answers(sa.String(100), sa.String(80))
    with op.batch_alter_table("api_token") as batch_op:
        batch_op.drop_column("expires_at")
    with op.batch_alter_table("password_reset") as batch_op:
        batch_op.drop_index("ix_password_reset_user_id")
    op.drop_table("password_reset")
    with op.batch_alter_table("cohort_invitation") as batch_op:
        batch_op.drop_index("ix_cohort_invitation_user_id")
    op.drop_table("cohort_invitation")
