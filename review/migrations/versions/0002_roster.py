"""leader roster for the expression check

Revision ID: 0002_roster
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import review.db


revision = '0002_roster'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('leader_roster',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=100), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', review.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('rank >= 1', name='ck_leader_roster_rank'),
    sa.CheckConstraint('valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to', name='ck_leader_roster_dates'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name', 'title', 'unit', name='uq_leader_roster_term')
    )


def downgrade():
    op.drop_table('leader_roster')
