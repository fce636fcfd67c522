"""What the store's attack files share: a fresh database of each backend, a hand edit."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from kelompok import InvalidGroupData
from store_contract import member, raw

PG = pytest.param("postgres", marks=pytest.mark.postgres)
BOTH = pytest.mark.parametrize("backend", ["sqlite", PG])


def url_of(request: pytest.FixtureRequest, backend: str) -> str:
    """The fresh database of *backend* (``"sqlite"`` or ``"postgres"``) for this test.

    The fixtures ``sqlite_url`` and ``pg_url`` are tests/adversarial/conftest.py's.
    """
    return str(request.getfixturevalue("pg_url" if backend == "postgres" else "sqlite_url"))


def edit(url: str, sql: str, **values: Any) -> None:
    """Change rows by hand, as someone with a database tool would."""
    with raw(url) as conn:
        conn.execute(sa.text(sql), values)


def every_read_refuses(store: Any, group_id: str, *, after: int = 1) -> None:
    """``get``, ``fire``, a page of ``history`` and ``find`` all raise ``InvalidGroupData``."""
    for call in (
        lambda: store.get(group_id),
        lambda: store.fire(group_id, "admit", member("citra")),
        lambda: store.history(group_id, after=after),
        store.find,
    ):
        with pytest.raises(InvalidGroupData):
            call()
