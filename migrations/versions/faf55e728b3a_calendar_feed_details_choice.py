"""calendar_feed.include_details: the patient's choice of what the calendar link carries

Revision ID: faf55e728b3a
Revises: f7ac9bb641da
Create Date: 2026-11-28 04:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'faf55e728b3a'
down_revision = 'f7ac9bb641da'
branch_labels = None
depends_on = None


def upgrade():
    # Existing links start without details: the calendar services they go to see only what
    # kind of contact it is and when, until the patient chooses to include more.
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('include_details', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.drop_column('include_details')
