"""Min plan: a patient's "seen" mark on moved follow-ups, who calls whom, phone hours as
weekdays and times, and the unit's visiting address

Revision ID: b7d4e2a91c35
Revises: b7d41c2e9a10
Create Date: 2026-11-28 10:05:00

"""
from alembic import op
import sqlalchemy as sa

import webapp.db
from webapp.people.phone_hours import times_from_text


# revision identifiers, used by Alembic.
revision = 'b7d4e2a91c35'
down_revision = 'b7d41c2e9a10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seen_by_patient_at', webapp.db.UTCDateTime(), nullable=True))
    # Moves and cancellations made before today were told the old way; "Att göra nu" asks
    # only about those made from now on.
    follow_up = sa.table('follow_up', sa.column('status', sa.String), sa.column('updated_at', webapp.db.UTCDateTime()), sa.column('seen_by_patient_at', webapp.db.UTCDateTime()))
    op.execute(follow_up.update().where(follow_up.c.status != 'planned').values(seen_by_patient_at=follow_up.c.updated_at))

    with op.batch_alter_table('care_unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_times', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('address', sa.String(length=200), server_default='', nullable=False))
    with op.batch_alter_table('staff_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_times', sa.JSON(), nullable=True))

    # Free-text hours that read as weekdays and times become data; the rest stay as typed.
    for name in ('care_unit', 'staff_member'):
        table = sa.table(name, sa.column('id', sa.Integer), sa.column('phone_hours', sa.String), sa.column('phone_times', sa.JSON))
        connection = op.get_bind()
        for row_id, text in connection.execute(sa.select(table.c.id, table.c.phone_hours).where(table.c.phone_hours != '')).all():
            times = times_from_text(text)
            if times is not None:
                connection.execute(table.update().where(table.c.id == row_id).values(phone_times=times, phone_hours=''))


def downgrade():
    with op.batch_alter_table('staff_member', schema=None) as batch_op:
        batch_op.drop_column('phone_times')
    with op.batch_alter_table('care_unit', schema=None) as batch_op:
        batch_op.drop_column('address')
        batch_op.drop_column('phone_times')
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.drop_column('seen_by_patient_at')
