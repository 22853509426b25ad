"""leader roster and suggestion decisions for the expression check

Revision ID: 0005_roster
Revises: 0004_security
"""
from alembic import op
import sqlalchemy as sa
import review.db


revision = '0005_roster'
down_revision = '0004_security'
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
    op.create_table('suggestion_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=8), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('suggestion', sa.String(length=200), nullable=True),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('new_revision_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', review.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("decision IN ('applied', 'dismissed')", name='ck_suggestion_decision'),
    sa.ForeignKeyConstraint(['new_revision_id'], ['revision.id'], ),
    sa.ForeignKeyConstraint(['revision_id'], ['revision.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('suggestion_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestion_decision_revision_id'), ['revision_id'], unique=False)


def downgrade():
    with op.batch_alter_table('suggestion_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_decision_revision_id'))
    op.drop_table('suggestion_decision')
    op.drop_table('leader_roster')
