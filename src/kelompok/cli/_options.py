"""The options several commands share, and opening the store they name."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Annotated

import typer

from kelompok.store import Store, open_store

Lang = Annotated[
    str,
    typer.Option(
        "--lang",
        envvar="KELOMPOK_LANG",
        help="language of labels and reasons: en, id, id-ID, ... (English when unknown)",
    ),
]
Json = Annotated[bool, typer.Option("--json", help="print JSON instead of tables")]
Db = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="KELOMPOK_DB",
        show_envvar=True,
        help="the store: an SQLite file or URL, or postgresql+psycopg://... "
        "(default: ./kelompok.db)",
    ),
]
After = Annotated[str | None, typer.Option(help="start after this one (the hint of the last page)")]
Limit = Annotated[int, typer.Option(min=1, max=10_000, help="at most this many")]


@contextlib.contextmanager
def open_db(url: str | None) -> Iterator[Store]:
    with open_store(url) as store:
        yield store
