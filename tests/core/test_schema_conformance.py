"""schemathesis against /v1/schema: no answer of the API contradicts its contract.

Every operation of the schema is called with generated requests (its examples, the
coverage phase's boundary and invalid values, and a few fuzzed ones; derandomized, so
the run is the same every time) in-process through Django's WSGI application, and each
answer is checked:

- `status_code_conformance`: the status is one the operation declares;
- `response_schema_conformance`: the body matches what the schema declares for it;
- `not_a_server_error`: nothing a client sends reaches a 5xx (Paystack is faked at the
  HTTP boundary with its documented answers, so a 502 would be ours).

Who calls: `/v1/admin/` operations with a superuser's staff token (second factor
verified), every other operation with a signed-in creator's token (who owns an active
campaign, `ada-walks`); operations that need no sign-in ignore it or are also refused
the way the schema says. Not covered: answers that need state the generator cannot reach
by chance (a withdrawal of the creator's, a payout to approve; their shapes are checked
by their own tests), and the webhook (not in the schema: Paystack calls it, signed).
"""

from __future__ import annotations

import pytest
import responses
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from apps.users.tokens import tokens_for
from tests.donations.conftest import FakePaystack
from tests.factories import ActiveCampaignFactory, StaffFactory, UserFactory
from tests.paystack_transfers import FakeTransfers

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

# No probing with methods an operation does not have (TRACE, QUERY...): DRF's 405 is the
# same everywhere and the schema does not list it per operation.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"unexpected-methods": []}}})

schema = schemathesis.openapi.from_dict(
    SchemaGenerator().get_schema(request=None, public=True), config=CONFIG
)
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def _in_test_transaction(db):
    # Django closes the database connection when a request finishes; inside the test's
    # transaction that would end the test (Django's test client disconnects it too).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def paystack(paystack_settings):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        FakePaystack(mock)
        FakeTransfers(mock)
        yield mock


@pytest.fixture
def tokens(db) -> dict[str, str]:
    creator = UserFactory(email="creator@example.com", phone="+2348031234567")
    ActiveCampaignFactory(organizer=creator, slug="ada-walks", title="Ada walks")
    staff = StaffFactory(email="staff@example.com", is_superuser=True)
    return {
        "creator": tokens_for(creator)["access"],
        "staff": tokens_for(staff, second_factor=True)["access"],
    }


@schema.parametrize()
@settings(
    max_examples=5,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_answers_conform_to_the_schema(case, tokens, paystack):
    token = tokens["staff"] if case.path.startswith("/v1/admin/") else tokens["creator"]
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
