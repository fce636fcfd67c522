"""The ``kelompok`` command: one Typer app, and the exit statuses it promises.

0 done, 1 refused (an event, or a type that ``verify`` finds wrong), 2 bad input
or usage. Every error is a message that says what to do, never a traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import typer

from kelompok._base.errors import CreationRefused, KelompokError, TransitionNotAllowed
from kelompok._base.text import Message, Text, msg
from kelompok.cli import _groups, _out, _types

app = typer.Typer(
    name="kelompok",
    help="How professional and volunteer groups form, as guarded state machines.",
    no_args_is_help=False,
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
"""The command's Typer app; ``kelompok.cli.main`` runs it with the exit statuses above."""
app.add_typer(_types.app)
app.add_typer(_groups.app)


@app.callback()
def _root(ctx: typer.Context) -> None:
    """How professional and volunteer groups form, as guarded state machines.

    Without a command: the demo. The store commands (new, fire, status, history,
    list) work on --db, by default the SQLite file ./kelompok.db or $KELOMPOK_DB.
    """
    if ctx.invoked_subcommand is None:
        demo()


@app.command()
def demo() -> None:
    """Walk both built-in types through every stage, with a refusal in both languages."""
    from kelompok._demo import main as run_demo  # noqa: PLC0415 -- only the demo needs it

    run_demo()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with *argv* (default: the process's arguments); the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        app(args=args, prog_name="kelompok")  # usage errors: click prints them, exit 2
    except SystemExit as done:
        return done.code if type(done.code) is int else int(done.code is not None)
    except TransitionNotAllowed as refusal:  # outside fire (which prints its reasons itself)
        _out.err.print(f"kelompok: {refusal}", markup=False)
        return _out.REFUSED
    except CreationRefused as refusal:
        lang = _lang(args)
        heading = msg(
            "cli.create_refused",
            "cannot create a {type} group; nothing was created",
            type=refusal.group_type,
        )(lang)
        _out.err.print(f"kelompok: {heading}", markup=False)
        _out.reasons(refusal.reasons, lang)
        return _out.BAD_INPUT
    except KelompokError as error:
        text = getattr(error, "text", None)  # the store's errors say it in every language
        shown = text(_lang(args)) if isinstance(text, Message | Text) else str(error)
        _out.err.print(f"kelompok: {shown}", markup=False)
        return _out.BAD_INPUT
    except BrokenPipeError:  # `kelompok history ID | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return _out.OK


def _lang(args: Sequence[str]) -> str:
    """The ``--lang`` of *args* (or ``$KELOMPOK_LANG``), for an error raised past its command."""
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return os.environ.get("KELOMPOK_LANG") or "en"
