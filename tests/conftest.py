"""Shared test set-up: hypothesis profiles, a registry of group types per test, PostgreSQL."""

import itertools
import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, Phase, settings

from kelompok._types.group_type import REGISTRY
from pg_server import new_database, postgres_server

settings.register_profile("default", max_examples=40, deadline=None)
settings.register_profile(
    "ci",
    max_examples=250,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
# tools/mutation.py: the same examples on every run, and a failure reported as found, not
# shrunk (a mutant that breaks a property is killed at once, not after minutes of shrinking)
settings.register_profile(
    "mutation",
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def own_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Types a test registers are gone after it, as in a fresh process."""
    monkeypatch.setattr(REGISTRY, "_entries", dict(REGISTRY._entries))


_databases = itertools.count()


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """A running PostgreSQL server for this test session (tests/pg_server.py)."""
    with postgres_server() as url:
        yield url


@pytest.fixture
def postgres_url(postgres: str) -> Iterator[str]:
    """A new, empty database on the test server, dropped after the test."""
    with new_database(postgres, f"kelompok_test_{os.getpid()}_{next(_databases)}") as url:
        yield url
