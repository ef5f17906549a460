"""certificates and the xAPI statement outbox

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 13:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _user(table: str) -> list:
    return [
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=f"fk_{table}_user_id_user", ondelete="CASCADE"
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        *_user("certificate"),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("learner_name", sa.String(length=120), nullable=False),
        sa.Column("course_title", sa.String(length=200), nullable=False),
        sa.Column("content_version", sa.String(length=40), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_reason", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_certificate"),
        sa.UniqueConstraint("code", name="uq_certificate_code"),
        sa.UniqueConstraint("user_id", "course_id", name="uq_certificate_user_id"),
    )
    with op.batch_alter_table("certificate") as batch_op:
        batch_op.create_index("ix_certificate_user_id", ["user_id"])
    op.create_table(
        "xapi_statement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        *_user("xapi_statement"),
        sa.Column("verb", sa.String(length=32), nullable=False),
        sa.Column("statement", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(), nullable=True),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_xapi_statement"),
        sa.UniqueConstraint("statement_id", name="uq_xapi_statement_statement_id"),
    )
    with op.batch_alter_table("xapi_statement") as batch_op:
        batch_op.create_index("ix_xapi_statement_user_id", ["user_id"])
        batch_op.create_index("ix_xapi_statement_pending", ["sent_at", "next_try_at"])


def downgrade() -> None:
    with op.batch_alter_table("xapi_statement") as batch_op:
        batch_op.drop_index("ix_xapi_statement_pending")
        batch_op.drop_index("ix_xapi_statement_user_id")
    op.drop_table("xapi_statement")
    with op.batch_alter_table("certificate") as batch_op:
        batch_op.drop_index("ix_certificate_user_id")
    op.drop_table("certificate")
