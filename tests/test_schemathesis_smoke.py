"""schemathesis over the whole API against its own OpenAPI schema, as every role (issue #10).

Zero 5xx and no response that breaks the schema. Two runs per operation:

- generated examples: EXAMPLES_PER_OPERATION (50) per operation, the six roles taking turns;
  a module check proves every operation was called as every role;
- schemathesis' coverage phase (boundary and wrong-type values derived from the schema: nulls,
  huge integers, bad formats — where most bugs were found), as the role the operation is for:
  one allowed to write it, or the auditor (who reads everything) for a read.

Data comes from the demo seeds, so ids and filters hit rows. The run is database-agnostic and
runs once, in .ci/run's SQLite pass (it passes on PostgreSQL too, run without LEDGER_REQUIRE_PG).
"""

import collections
import os
import re

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections, transaction
from django.urls import resolve
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis import checks

from ledger.api.auth import issue_token
from ledger.models import Role, User

EXAMPLES_PER_OPERATION = 50
# No 5xx, and every response matches the schema (status code, body, content type). Whether a
# schema-valid filter value that names no row is "accepted" is not checked: it is a clear 400.
CHECKS = [
    checks.not_a_server_error,
    checks.response_schema_conformance,
    checks.status_code_conformance,
    checks.content_type_conformance,
]
ROLES = ["demo-enterprise", "demo-staff", "demo-supervisor", "demo-auditor", "demo-credit", "demo-admin"]


def _load_schema():
    """Generate the schema in-process (no HTTP, no database) and bind the WSGI app to it."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    from ledger.wsgi import application

    raw = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(__import__("json").loads(OpenApiJsonRenderer().render(raw)))
    loaded.app = application
    return loaded


schema = _load_schema()


@pytest.fixture(scope="module", autouse=True)
def _requests_keep_the_test_connection():
    """schemathesis calls the WSGI application itself, whose request signals close the database
    connection after each request (CONN_MAX_AGE 0) — and with it the test's transaction, on
    PostgreSQL ("the connection is closed"; SQLite's in-memory test database ignores the close).
    Django's own test client disconnects the same handler for the same reason."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def demo_tokens(django_db_setup, django_db_blocker):
    """Demo data for this module only: loaded inside an outer transaction that is rolled back at
    the end, so no later test sees these rows (each test's own transaction nests inside it)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        call_command("load_seeds", verbosity=0)
        call_command("load_demo", verbosity=0)
        tokens = {name: issue_token(User.objects.get(username=name))[0] for name in ROLES}
    yield tokens
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


ONCE = pytest.mark.skipif(
    os.environ.get("LEDGER_REQUIRE_PG") == "1",
    reason="the schemathesis run is database-agnostic and runs once, in .ci/run's SQLite pass, to keep CI short",
)


CALLED_AS: dict[str, set[str]] = collections.defaultdict(set)  # operation → roles it was called as
TURNS: collections.Counter = collections.Counter()  # operation → examples run
DEMO_USER = {
    Role.ENTERPRISE: "demo-enterprise",
    Role.AGENCY_STAFF: "demo-staff",
    Role.SUPERVISOR: "demo-supervisor",
    Role.AUDITOR: "demo-auditor",
    Role.CREDIT_OFFICER: "demo-credit",
    Role.ADMINISTRATOR: "demo-admin",
}


@pytest.fixture(scope="module", autouse=True)
def _every_operation_ran_as_every_role():
    yield
    missing = {op: sorted(set(ROLES) - roles) for op, roles in CALLED_AS.items() if roles != set(ROLES)}
    assert missing == {}


@ONCE
@pytest.mark.django_db
@schema.parametrize()
@schema.given(spread=st.integers(min_value=0, max_value=EXAMPLES_PER_OPERATION - 1))
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    phases=[Phase.generate],
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_generated_examples_never_get_a_5xx_or_break_the_schema(case, spread, demo_tokens):
    # The roles take turns per operation (round robin), so each gets at least 8 of the 50
    # examples; the drawn `spread` only gives hypothesis 50 distinct inputs to draw where an
    # operation has no parameters of its own, so it does not stop early there.
    label = case.operation.label
    username = ROLES[TURNS[label] % len(ROLES)]
    TURNS[label] += 1
    CALLED_AS[label].add(username)
    case.call_and_validate(headers={"Authorization": f"Token {demo_tokens[username]}"}, checks=CHECKS)


def _role_for(operation) -> str:
    """Who the operation is for: a role the view lets write it, or the auditor for a read."""
    method = operation.method.lower()
    if method == "get":
        return "demo-auditor"
    view = resolve(re.sub(r"\{[^}]+\}", "1", operation.path)).func
    cls, actions = getattr(view, "cls", None), getattr(view, "actions", None) or {}
    roles = getattr(cls, "action_roles", {}).get(actions.get(method)) or getattr(cls, "write_roles", None)
    return DEMO_USER[sorted(roles)[0]] if roles else "demo-admin"


@ONCE
@pytest.mark.django_db
@schema.parametrize()
@settings(
    phases=[Phase.explicit],
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_boundary_values_never_get_a_5xx_or_break_the_schema(case, demo_tokens):
    username = _role_for(case.operation)
    case.call_and_validate(headers={"Authorization": f"Token {demo_tokens[username]}"}, checks=CHECKS)
