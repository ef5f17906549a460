"""the text of each question version served, to describe later edits against

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 06:20:00

Stored answers carry only a fingerprint of the question version they answered. From now on the
app stores each version's text the first time it serves it (at start-up, or with
`flask --app run content record`). The versions served before this upgrade cannot be known here:
the table starts empty, the content served at the first start after the upgrade is stored then,
and answers to versions older than that stay "not on record".
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "question_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.String(length=64), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("scoring", sa.String(length=16), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("key", sa.JSON(), nullable=False),
        sa.Column("content_version", sa.String(length=40), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_question_version"),
        sa.UniqueConstraint(
            "quiz_id", "question_id", "version", name="uq_question_version_quiz_id"
        ),
    )


def downgrade() -> None:
    op.drop_table("question_version")
