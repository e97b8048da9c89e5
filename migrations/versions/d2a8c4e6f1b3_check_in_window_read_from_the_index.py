"""check-in: a change limit's window is read from the index alone

Revision ID: d2a8c4e6f1b3
Revises: c5e1f0a2b7d9
Create Date: 2026-11-29 03:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd2a8c4e6f1b3'
down_revision = 'c5e1f0a2b7d9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.create_index(
            'ix_check_in_goal_id_taken_at_values',
            ['goal_id', 'taken_at', 'deleted_at', 'value', 'value2'],
            unique=False,
        )
        batch_op.drop_index('ix_check_in_goal_id_taken_at')


def downgrade():
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.create_index('ix_check_in_goal_id_taken_at', ['goal_id', 'taken_at'], unique=False)
        batch_op.drop_index('ix_check_in_goal_id_taken_at_values')
