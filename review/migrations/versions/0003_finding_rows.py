"""findings as rows: the trail's category filter and the dashboard query them in SQL

Revision ID: 0003_finding_rows
Revises: 0002_publication_safety
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_finding_rows'
down_revision = '0002_publication_safety'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('screening_id', sa.Integer(), nullable=False),
    sa.Column('check', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('field', sa.String(length=8), nullable=False),
    sa.Column('span_start', sa.Integer(), nullable=False),
    sa.Column('span_end', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['screening_id'], ['screening_result.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.create_index('ix_finding_category_action', ['category', 'action'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_screening_id'), ['screening_id'], unique=False)

    screening = sa.table('screening_result', sa.column('id', sa.Integer), sa.column('findings', sa.JSON))
    finding = sa.table('finding', *(sa.column(c) for c in
                                    ('screening_id', 'check', 'category', 'field', 'span_start', 'span_end', 'action')))
    connection = op.get_bind()
    for row in connection.execute(sa.select(screening)).all():
        rows = [{'screening_id': row.id, 'check': f['check'], 'category': f['category'], 'field': f['field'],
                 'span_start': f['start'], 'span_end': f['end'], 'action': f['action']} for f in row.findings or []]
        if rows:
            connection.execute(finding.insert(), rows)


def downgrade():
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_screening_id'))
        batch_op.drop_index('ix_finding_category_action')
    op.drop_table('finding')
