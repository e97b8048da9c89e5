"""patient update: when the patient read care's answer

Revision ID: e7b3a9d1c4f2
Revises: d2a8c4e6f1b3
Create Date: 2026-12-07 08:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e7b3a9d1c4f2'
down_revision = 'd2a8c4e6f1b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('patient_update', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer_read_at', sa.DateTime(), nullable=True))
    # Answers given before this was kept count as read: no old answer becomes news again.
    op.execute(
        "UPDATE patient_update SET answer_read_at = answered_at WHERE answered_at IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table('patient_update', schema=None) as batch_op:
        batch_op.drop_column('answer_read_at')
