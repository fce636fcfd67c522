"""Schemathesis against the app's own OpenAPI document: no 500s, every answer as documented."""

from __future__ import annotations

import tempfile

import schemathesis
from app import create_app
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

# Schemathesis runs the app's lifespan (its store) until the process exits, and this folder with it.
STORE = tempfile.TemporaryDirectory()
app = create_app(f"sqlite:///{STORE.name}/groups.db")
# A stale If-Match (412) is a valid request's right answer too, and an invalid one's: the
# app answers the precondition before it reads the body, so nothing is applied either way.
accepted = ["2xx", "404", "409", "412"]
refused = ["400", "401", "403", "404", "405", "406", "409", "412", "415", "422", "428", "429"]
config = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {"expected-statuses": accepted},
            "negative_data_rejection": {"expected-statuses": refused},
        }
    }
)
schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
FAST = settings(
    max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


@schema.parametrize()
@FAST
def test_every_operation(case):
    case.call_and_validate()


TestStateful = schema.as_state_machine().TestCase
TestStateful.settings = settings(FAST, max_examples=10, stateful_step_count=8)
