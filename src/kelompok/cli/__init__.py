"""The ``kelompok`` command, on Typer and Rich (``pip install "kelompok[cli]"``).

``kelompok --help`` lists the commands; docs/cli.md shows each. The command
without the extra runs the demo only, and says which extra the rest needs.
"""

from __future__ import annotations

from kelompok.cli._app import app, main

__all__ = ["app", "main"]
