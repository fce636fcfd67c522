"""The options several commands share, and opening the store they name."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from kelompok._base.text import msg
from kelompok.store import Store, StoreUnavailable, open_store
from kelompok.store._engine import resolve_url

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
def open_db(url: str | None, *, create: bool = False) -> Iterator[Store]:
    """The store at *url*; unless *create*, an SQLite file that is not there is an error.

    A command that only reads, or fires on a group, would otherwise make an empty
    database where a path has a typo, and answer as if it held no group.
    """
    if not create:
        named = resolve_url(url)
        database = named.database or ""
        if named.get_backend_name() == "sqlite" and not Path(database).exists():
            shown = named.render_as_string(hide_password=True)
            said = msg("cli.no_file", "there is no such file; `kelompok new` makes one")
            raise StoreUnavailable(shown, said)
    with open_store(url) as store:
        yield store
