"""The OpenAPI document is true: schemathesis sends generated requests to every operation and
checks each answer against the document (status codes, response schemas, content types) and
that nothing answers 500."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from app.main import create_app
from tests.conftest import settings_for_tests

# Small limits keep generated landscapes and trajectories quick.
APP = create_app(settings_for_tests(max_steps=200, max_network_steps=50, max_grid=41))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case) -> None:
    # Not checked: that every schema-valid body is accepted. Rules across fields (a budget, an
    # expression's syntax, an optimizer's own hyperparameters) are beyond JSON Schema; each such
    # refusal is a documented 422 naming the field (tests/api/test_*), which is checked here.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
