"""relatives: proxy grants and the consent ledger

Revision ID: e4b7c1d9a2f6
Revises: e6b1c9d3a7f2
Create Date: 2026-12-07 08:15:00.000000

"""

import sqlalchemy as sa
from alembic import op

import webapp.db

# revision identifiers, used by Alembic.
revision = "e4b7c1d9a2f6"
down_revision = "e6b1c9d3a7f2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "proxy_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("relative_user_id", sa.Integer(), nullable=True),
        sa.Column("relative_name", sa.String(length=120), nullable=False),
        sa.Column("relation", sa.String(length=40), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=False),
        sa.Column("consent_recorded_by_staff_id", sa.Integer(), nullable=True),
        sa.Column("consent_given_on", sa.Date(), nullable=True),
        sa.Column("invite_token_hash", sa.String(length=64), nullable=True),
        sa.Column("invite_expires_at", webapp.db.UTCDateTime(), nullable=True),
        sa.Column("accepted_at", webapp.db.UTCDateTime(), nullable=True),
        sa.Column("ended_at", webapp.db.UTCDateTime(), nullable=True),
        sa.Column("ended_how", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["consent_recorded_by_staff_id"],
            ["staff_member.id"],
            name=op.f("fk_proxy_grant_consent_recorded_by_staff_id_staff_member"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_proxy_grant_created_by_user_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_proxy_grant_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["relative_user_id"],
            ["user_account.id"],
            name=op.f("fk_proxy_grant_relative_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proxy_grant")),
        sa.UniqueConstraint("invite_token_hash", name=op.f("uq_proxy_grant_invite_token_hash")),
    )
    with op.batch_alter_table("proxy_grant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proxy_grant_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_proxy_grant_relative_user_id"), ["relative_user_id"], unique=False
        )

    op.create_table(
        "proxy_grant_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("at", webapp.db.UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["by_user_id"],
            ["user_account.id"],
            name=op.f("fk_proxy_grant_event_by_user_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"], ["proxy_grant.id"], name=op.f("fk_proxy_grant_event_grant_id_proxy_grant")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_proxy_grant_event_patient_id_patient")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proxy_grant_event")),
    )
    with op.batch_alter_table("proxy_grant_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proxy_grant_event_grant_id"), ["grant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_proxy_grant_event_patient_id"), ["patient_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("proxy_grant_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proxy_grant_event_patient_id"))
        batch_op.drop_index(batch_op.f("ix_proxy_grant_event_grant_id"))
    op.drop_table("proxy_grant_event")
    with op.batch_alter_table("proxy_grant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proxy_grant_relative_user_id"))
        batch_op.drop_index(batch_op.f("ix_proxy_grant_patient_id"))
    op.drop_table("proxy_grant")
