"""``python -m kelompok`` (or the ``kelompok`` script): the demo, and generated docs."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from kelompok._base.errors import KelompokError
from kelompok._types.diagram import events_table, mermaid
from kelompok._types.registry import get_group_type


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kelompok",
        description="How professional and volunteer groups form, as guarded state machines.",
    )
    parser.add_argument(
        "command",
        nargs="?",
        default="demo",
        choices=["demo", "docs"],
        help="demo: walk both built-in types through every stage (default); "
        "docs: print a type's mermaid diagram and event table",
    )
    parser.add_argument("type", nargs="?", default="professional", help="group type for 'docs'")
    parser.add_argument(
        "--lang",
        default="en",
        help="language for 'docs': a tag such as en, id or id-ID (English when unknown)",
    )
    return parser


def _docs(type_name: str, lang: str) -> None:
    group_type = get_group_type(type_name)
    print("```mermaid")
    print(mermaid(group_type, lang), end="")
    print("```")
    print()
    print(events_table(group_type, lang), end="")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kelompok`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "docs":
            _docs(args.type, args.lang)
        else:
            from kelompok._demo import main as demo  # noqa: PLC0415 -- only the demo needs it

            demo()
    except KelompokError as exc:
        print(f"kelompok: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `kelompok docs | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
