"""Fixtures of the attack files: a fresh, empty database of each backend per test."""

from __future__ import annotations

import pytest


@pytest.fixture
def pg_url(postgres_url: str) -> str:
    """A new, empty PostgreSQL database, dropped after the test (tests/conftest.py)."""
    return postgres_url


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A new, empty SQLite file."""
    return f"sqlite:///{tmp_path / 'attack.db'}"
