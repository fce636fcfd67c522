"""Names that moved into :mod:`typing` after Python 3.10."""

import sys

if sys.version_info >= (3, 11):
    from typing import Self
else:  # pragma: no cover -- exercised on 3.10 only
    from typing_extensions import Self

__all__ = ["Self"]
