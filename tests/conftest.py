"""Shared test set-up: hypothesis profiles, and a registry of group types per test."""

import os

import pytest
from hypothesis import HealthCheck, settings

from kelompok._types.group_type import REGISTRY

settings.register_profile("default", max_examples=40, deadline=None)
settings.register_profile(
    "ci",
    max_examples=250,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def own_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Types a test registers are gone after it, as in a fresh process."""
    monkeypatch.setattr(REGISTRY, "_entries", dict(REGISTRY._entries))
