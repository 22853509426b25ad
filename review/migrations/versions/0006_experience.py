"""reviewer experience: e-mail addresses, department robots, outbound messages, deadline alerts

Revision ID: 0006_experience
Revises: 0005_roster
"""
from alembic import op
import sqlalchemy as sa
import review.db


revision = '0006_experience'
down_revision = '0005_roster'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.add_column(sa.Column('robot_url', sa.String(length=500), nullable=True))
    op.create_table('outbound_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('address', sa.String(length=500), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('created_at', review.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', review.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("channel IN ('email', 'robot')", name='ck_outbound_channel'),
    sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name='ck_outbound_status'),
    sa.ForeignKeyConstraint(['draft_id'], ['draft.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('deadline_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=8), nullable=False),
    sa.Column('created_at', review.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("stage IN ('soon', 'missed')", name='ck_deadline_alert_stage'),
    sa.ForeignKeyConstraint(['draft_id'], ['draft.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('draft_id', 'round', 'stage', name='uq_deadline_alert')
    )


def downgrade():
    op.drop_table('deadline_alert')
    op.drop_table('outbound_message')
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.drop_column('robot_url')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('email')
