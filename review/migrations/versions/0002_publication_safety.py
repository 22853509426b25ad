"""publication safety: mask resolutions, delivery verification, emergency lane, patrol, notifications

Revision ID: 0002_publication_safety
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import review.db

from review.masks import strip_masked_values

OLD_PLATFORMS = ('微博', '微信公众号', '移动客户端', '其他')
NEW_PLATFORMS = ('微博', '微信公众号', '移动客户端', '网站', '其他')


def _replace_platform_check(platforms):
    check = 'platform IN (' + ', '.join(repr(p) for p in platforms) + ')'
    # SQLite changes a CHECK constraint only by copying the table; PostgreSQL alters it in place.
    recreate = 'always' if op.get_bind().dialect.name == 'sqlite' else 'auto'
    with op.batch_alter_table('channel', schema=None, recreate=recreate) as batch_op:
        batch_op.drop_constraint('ck_channel_platform', type_='check')
        batch_op.create_check_constraint('ck_channel_platform', check)


revision = '0002_publication_safety'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('patrol_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('since', review.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('flagged', sa.Integer(), nullable=False),
    sa.Column('started_at', review.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', review.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', review.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', review.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['draft_id'], ['draft.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_unread', ['user_id', 'read_at'], unique=False)

    op.create_table('mask_resolution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('revision_hash', sa.String(length=64), nullable=False),
    sa.Column('finding_key', sa.String(length=80), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', review.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("reason IN ('consent', 'official_duty', 'disciplinary', 'false_positive')", name='ck_mask_resolution_reason'),
    sa.ForeignKeyConstraint(['draft_id'], ['draft.id'], ),
    sa.ForeignKeyConstraint(['revision_id'], ['revision.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('revision_id', 'finding_key', name='uq_mask_resolution_finding')
    )
    with op.batch_alter_table('mask_resolution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mask_resolution_draft_id'), ['draft_id'], unique=False)

    op.create_table('post_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('revision_hash', sa.String(length=64), nullable=False),
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.Column('deadline_at', review.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decision', sa.String(length=8), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', review.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', review.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("decision IS NULL OR decision IN ('approve', 'reject')", name='ck_post_review_decision'),
    sa.CheckConstraint("tier IN ('editor', 'dept_head', 'leader')", name='ck_post_review_tier'),
    sa.ForeignKeyConstraint(['draft_id'], ['draft.id'], ),
    sa.ForeignKeyConstraint(['revision_id'], ['revision.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('draft_id', 'revision_id', 'tier', name='uq_post_review_tier')
    )
    with op.batch_alter_table('post_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_review_draft_id'), ['draft_id'], unique=False)

    op.create_table('rectification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('publication_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.Column('deadline_at', review.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('created_at', review.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', review.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closing_note', sa.Text(), nullable=True),
    sa.CheckConstraint("source IN ('patrol', 'post_review', 'mismatch')", name='ck_rectification_source'),
    sa.CheckConstraint("status IN ('open', 'done')", name='ck_rectification_status'),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.ForeignKeyConstraint(['draft_id'], ['draft.id'], ),
    sa.ForeignKeyConstraint(['publication_id'], ['publication.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rectification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectification_draft_id'), ['draft_id'], unique=False)
        batch_op.create_index('ix_rectification_status', ['status', 'department_id'], unique=False)

    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivered_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('read_back', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('verification', sa.String(length=16), nullable=False, server_default='pending'))
        batch_op.add_column(sa.Column('verified_at', review.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('emergency', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('emergency_reason', sa.Text(), nullable=True))

    with op.batch_alter_table('sign_off', schema=None) as batch_op:
        batch_op.add_column(sa.Column('emergency', sa.Boolean(), nullable=False, server_default=sa.false()))

    _replace_platform_check(NEW_PLATFORMS)

    # 002 §19: screening results stored before this revision kept the raw personal values.
    screening = sa.table('screening_result', sa.column('id', sa.Integer), sa.column('findings', sa.JSON),
                         sa.column('deidentified', sa.JSON))
    connection = op.get_bind()
    for row in connection.execute(sa.select(screening)).all():
        stripped = strip_masked_values(row.findings, row.deidentified)
        if stripped != row.findings:
            connection.execute(screening.update().where(screening.c.id == row.id).values(findings=stripped))


def downgrade():
    _replace_platform_check(OLD_PLATFORMS)

    with op.batch_alter_table('sign_off', schema=None) as batch_op:
        batch_op.drop_column('emergency')

    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.drop_column('emergency_reason')
        batch_op.drop_column('emergency')
        batch_op.drop_column('verified_at')
        batch_op.drop_column('verification')
        batch_op.drop_column('read_back')
        batch_op.drop_column('delivered_hash')

    with op.batch_alter_table('rectification', schema=None) as batch_op:
        batch_op.drop_index('ix_rectification_status')
        batch_op.drop_index(batch_op.f('ix_rectification_draft_id'))

    op.drop_table('rectification')
    with op.batch_alter_table('post_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_review_draft_id'))

    op.drop_table('post_review')
    with op.batch_alter_table('mask_resolution', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mask_resolution_draft_id'))

    op.drop_table('mask_resolution')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_unread')

    op.drop_table('notification')
    op.drop_table('patrol_run')
