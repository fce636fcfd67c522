"""What the command prints: JSON for ``--json``, Rich tables for people, reasons, errors.

Exit statuses: 0 done, 1 refused (the reasons are printed), 2 bad input or usage.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any, Final, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from kelompok._base.text import Reason

OK: Final = 0
REFUSED: Final = 1
BAD_INPUT: Final = 2

out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)


def emit_json(value: Any) -> None:
    """*value* as indented JSON on standard output (text other than ASCII as it is)."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    shown = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        shown.add_column(column, overflow="fold")
    for row in rows:
        shown.add_row(*("" if cell is None else str(cell) for cell in row))
    out.print(shown)


def reasons(found: Sequence[Reason], lang: str) -> None:
    """Each reason with its code and the field at fault, in *lang*."""
    for reason in found:
        where = f" [{reason.field}]" if reason.field else ""
        err.print(f"  - {reason.code}{where}: {reason.message(lang)}", markup=False)


def fail(message: str, status: int = BAD_INPUT) -> NoReturn:
    """Say what went wrong (and what to do) on standard error, and exit with *status*."""
    err.print(f"kelompok: {message}", markup=False)
    raise typer.Exit(status)


def more(command: str, after: object) -> None:
    """The hint that a page is not the last one: the command that shows the next."""
    err.print(f"(more: {command} --after {after})", markup=False)
