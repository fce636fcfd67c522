"""A group's other forms: its document, its JSON bytes, its pickle and its repr.

The part of :class:`kelompok.Group` that hands the group to its type, which
writes documents (the codec sits above the runtime: docs/architecture.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kelompok._runtime.cell import Cell
from kelompok._runtime.state import State

if TYPE_CHECKING:
    from kelompok._types.group_type import GroupType


class Forms(Cell):
    """What :class:`kelompok.Group` is besides its state: a document, JSON, a pickle."""

    __slots__ = ()

    _type: GroupType[Any]
    _id: str

    def to_dict(self, *, history: bool = True) -> dict[str, Any]:
        """The group as a JSON-ready dict; :func:`kelompok.load` rebuilds it.

        With ``history=False``, the document's head alone: everything ``load``
        needs to rebuild and check the group, without the history records
        (a store keeps those apart). A group loaded from a head holds only the
        records since; its document says so with ``history_from``.

        With :data:`kelompok.known_documents` on, the document is remembered, so
        loading it again in this process skips the checks.
        """
        cell = self._cell
        if type(cell) is State:
            return self._type._document(self, cell, remember=True, history=history)  # noqa: SLF001
        # inside a listener: the event may still be undone, so it is not remembered
        return self._type._document(self, self._state(), remember=False, history=history)  # noqa: SLF001

    def to_json(self, *, history: bool = True) -> bytes:
        """The document of :meth:`to_dict` as compact UTF-8 JSON.

        :func:`kelompok.load_json` rebuilds the group from it.
        """
        cell = self._cell
        if type(cell) is State:
            return self._type._json(self, cell, remember=True, history=history)  # noqa: SLF001
        return self._type._json(self, self._state(), remember=False, history=history)  # noqa: SLF001

    def _name(self, state: State) -> str:
        name = getattr(state.data, "name", None)
        return name if type(name) is str and name.strip() else self._id

    def __getstate__(self) -> dict[str, Any]:
        """The document (a copy): a group's own state is never handed out."""
        return self.to_dict()

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the document: unpickling loads it (its type must be registered)."""
        return self._type._reduce_group(self)  # noqa: SLF001

    def __repr__(self) -> str:
        state = self._state()
        return (
            f"<{type(self).__name__} {self._type.name} {self._name(state)!r} id={self._id!r} "
            f"stage={state.stage!r} version={state.version}>"
        )
