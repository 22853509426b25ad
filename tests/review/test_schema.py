from review import schema


def test_migrations_build_exactly_the_models(db):
    assert schema.drift(db) == []
