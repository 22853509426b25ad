"""Property test: schemathesis drives every operation of the OpenAPI document with generated input,
valid and invalid, as an editor and as an auditor. No answer may be a 500, and every answer must be
one the document describes, with the body it describes.

Bounded (a few dozen examples per operation and mode) so it stays a CI test, not a fuzzing campaign.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance
from sqlalchemy import select

from review import workflow
from review.models import Channel, User
from tests.review.workflow_helpers import GENERAL
from tests.webui.test_api import api  # noqa: F401  (fixture)

EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture
def api_schema(app, people, api):  # noqa: F811  (the api fixture of test_api: screeners, test terms, tokens)
    with app.extensions["runtime"].db.session() as s:
        s.add(Channel(name="政务微博", platform="微博", department_id=people["editor"].department_id))
        editor = s.scalar(select(User).where(User.username == "editor"))
        for _ in range(3):  # drafts with ids 1–3 so that generated small ids reach real rows too
            workflow.create_draft(s, editor, GENERAL[0], GENERAL[1])
    tokens = [api.tokens["editor"], api.tokens["auditor"]]
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app), tokens


def _operations(api_schema):
    schema, _ = api_schema
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode))
def test_no_generated_request_gets_a_500_or_an_undocumented_answer(api_schema, mode):
    _, tokens = api_schema
    operations = _operations(api_schema)
    assert len(operations) >= 10
    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            for token in tokens:
                case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

        run()
