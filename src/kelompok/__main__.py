"""``python -m kelompok`` (or the ``kelompok`` script): the demo, and generated docs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kelompok`` command."""
    parser = argparse.ArgumentParser(
        prog="kelompok",
        description="Walk a professional and a volunteer group through every stage.",
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
    parser.add_argument("--lang", default="en", choices=["en", "id"], help="language for 'docs'")
    args = parser.parse_args(argv)
    if args.command == "docs":
        from kelompok._diagram import events_table, mermaid  # noqa: PLC0415
        from kelompok._registry import get_group_type  # noqa: PLC0415

        group_type = get_group_type(args.type)
        print("```mermaid")
        print(mermaid(group_type, args.lang), end="")
        print("```")
        print()
        print(events_table(group_type, args.lang), end="")
        return 0
    from kelompok._demo import main as demo  # noqa: PLC0415 -- only the demo needs it

    demo()
    return 0


if __name__ == "__main__":
    sys.exit(main())
