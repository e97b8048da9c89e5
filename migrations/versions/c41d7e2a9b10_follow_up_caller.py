"""Follow-ups: who makes a phone call (care or the patient)

Revision ID: c41d7e2a9b10
Revises: 598b3e206e32
Create Date: 2026-11-28 10:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c41d7e2a9b10'
down_revision = '598b3e206e32'
branch_labels = None
depends_on = None


def upgrade():
    # Nullable: calls booked before have no answer, and other kinds never have one.
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.add_column(sa.Column('caller', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.drop_column('caller')
