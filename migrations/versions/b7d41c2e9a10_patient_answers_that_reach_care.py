"""The patient's answers that reach her care contact: "Jag vill prata om det först" on an
agreement proposal, and "ring mig" after a Delvis or Nej in Mitt kvitto

Revision ID: b7d41c2e9a10
Revises: c41d7e2a9b10
Create Date: 2026-11-28 10:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

import webapp.db


# revision identifiers, used by Alembic.
revision = 'b7d41c2e9a10'
down_revision = 'c41d7e2a9b10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agreement_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('patient_talk_wanted_at', webapp.db.UTCDateTime(), nullable=True))
    with op.batch_alter_table('receipt_answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('call_wanted_at', webapp.db.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('receipt_answer', schema=None) as batch_op:
        batch_op.drop_column('call_wanted_at')
    with op.batch_alter_table('agreement_version', schema=None) as batch_op:
        batch_op.drop_column('patient_talk_wanted_at')
