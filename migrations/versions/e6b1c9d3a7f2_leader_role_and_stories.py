"""the unit's side: the leader role (verksamhetschef), the patients' stories, and the
unit's kept monthly figures

Revision ID: e6b1c9d3a7f2
Revises: e7b3a9d1c4f2
Create Date: 2026-12-07 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import webapp.db


# revision identifiers, used by Alembic.
revision = 'e6b1c9d3a7f2'
down_revision = 'e7b3a9d1c4f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff_member', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('is_quality_lead', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table('story',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('told_by_user_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('unit_text', sa.Text(), nullable=True),
    sa.Column('unit_allowed_at', webapp.db.UTCDateTime(), nullable=True),
    sa.Column('unit_withdrawn_at', webapp.db.UTCDateTime(), nullable=True),
    sa.Column('discussed_at', webapp.db.UTCDateTime(), nullable=True),
    sa.Column('discussed_by_staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', webapp.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['discussed_by_staff_id'], ['staff_member.id'], name=op.f('fk_story_discussed_by_staff_id_staff_member')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_story_patient_id_patient')),
    sa.ForeignKeyConstraint(['told_by_user_id'], ['user_account.id'], name=op.f('fk_story_told_by_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_story'))
    )
    with op.batch_alter_table('story', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_story_patient_id'), ['patient_id'], unique=False)
    op.create_table('unit_month_figure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('care_unit_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('side', sa.String(length=8), nullable=False),
    sa.Column('question', sa.Integer(), nullable=False),
    sa.Column('answer', sa.String(length=12), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['care_unit_id'], ['care_unit.id'], name=op.f('fk_unit_month_figure_care_unit_id_care_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_month_figure')),
    sa.UniqueConstraint('care_unit_id', 'month', 'side', 'question', 'answer', name=op.f('uq_unit_month_figure_care_unit_id'))
    )


def downgrade():
    op.drop_table('unit_month_figure')
    with op.batch_alter_table('story', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_story_patient_id'))
    op.drop_table('story')
    with op.batch_alter_table('staff_member', schema=None) as batch_op:
        batch_op.drop_column('is_quality_lead')
