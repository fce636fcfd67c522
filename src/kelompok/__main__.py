"""``python -m kelompok`` (or the ``kelompok`` script): the command of :mod:`kelompok.cli`.

Without the ``cli`` extra (Typer, Rich), the demo still runs, and every other
command says which extra to install.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kelompok`` command; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        from kelompok.cli import main as run  # noqa: PLC0415 -- optional: the cli extra
    except ImportError as missing:
        if args in ([], ["demo"]):
            from kelompok._demo import main as demo  # noqa: PLC0415 -- the demo needs no extra

            demo()
            return 0
        print(
            f"kelompok: the command needs the cli extra ({missing.name} is not installed): "
            'pip install "kelompok[cli]"',
            file=sys.stderr,
        )
        return 2
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
