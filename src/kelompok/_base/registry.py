"""A thread-safe table of named things, with plugins found through entry points.

kelompok keeps group types by name (documents name their type), and will keep
storage backends by URL scheme. Both are a :class:`Registry`: entries added in
code, plus the objects that installed distributions declare as entry points in
the registry's group, discovered once, the first time a name is not found or the
whole table is asked for. Nothing is ever imported because a *document* names
it: only installed entry points are loaded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from kelompok._base.errors import KelompokError, UsageError
from kelompok._base.scalars import describe

T = TypeVar("T")


class Registry(Generic[T]):
    """Objects of one *kind* by name.

    Args:
        kind: the class every entry must be an instance of.
        what: what an entry is called in messages (``"group type"``).
        entry_point_group: the entry-point group plugins declare entries in.
        name_of: an entry's own name (an entry point's name must equal it).
        unknown: the error to raise for a name that is not found, given the
            name and the known names.
    """

    def __init__(
        self,
        kind: type[T],
        what: str,
        entry_point_group: str,
        name_of: Callable[[T], str],
        unknown: Callable[[object, list[str]], KelompokError],
    ) -> None:
        self.kind = kind
        self.what = what
        self.entry_point_group = entry_point_group
        self._name_of = name_of
        self._unknown = unknown
        self._lock = threading.RLock()
        self._entries: dict[str, T] = {}
        self._lazy: dict[str, Callable[[], T]] = {}
        self._discovered = False

    def _is_kind(self, value: object) -> bool:
        return isinstance(value, self.kind)

    def add(self, entry: T, origin: str = "yours") -> T:
        """Register *entry* under its name; the very same object again is a no-op.

        Raises:
            UsageError: *entry* is not of the registry's kind (also a ``TypeError``).
            KelompokError: a different entry already has the name.
        """
        if not self._is_kind(entry):
            msg = f"register() takes a kelompok.{self.kind.__name__}, got {describe(entry)}"
            raise UsageError(msg)
        self.discover()
        name = self._name_of(entry)
        if name in self._lazy and name not in self._entries:
            self._built(name)  # kelompok's own entry of that name comes first, as if built
        with self._lock:
            self._add(entry, origin)
        return entry

    def add_own(self, entry: T) -> T:
        """Register an entry of kelompok's own, while kelompok is being imported.

        Plugins are not discovered: a plugin imports kelompok, which is not ready yet.
        """
        with self._lock:
            self._add(entry, "kelompok's own")
        return entry

    def add_own_lazily(self, name: str, build: Callable[[], T]) -> None:
        """Register kelompok's own entry *name*, built by ``build()`` when first asked for."""
        with self._lock:
            self._lazy[name] = build

    def _built(self, name: str) -> T | None:
        """The lazy entry *name*, built and registered now; ``None`` if there is none."""
        build = self._lazy.get(name)
        if build is None:
            return None
        entry = build()
        with self._lock:
            self._add(entry, "kelompok's own")
        return entry

    def _add(self, entry: T, origin: str) -> None:
        name = self._name_of(entry)
        taken = self._entries.get(name)
        if taken is not None and taken is not entry:
            msg = (
                f"A different {self.what} is already registered as {name!r}; "
                f"give {origin} another name (stored documents name their type)."
            )
            raise KelompokError(msg)
        self._entries[name] = entry

    def get(self, name: str) -> T:
        """The entry called *name*.

        Raises:
            KelompokError: the registry's *unknown* error, when no entry has the name.
        """
        known = self._entries.get(name) if type(name) is str else None
        if known is None and type(name) is str:
            known = self._built(name)
        if known is not None:  # entries added in code work even beside a broken plugin
            return known
        self.discover()
        try:
            return self._entries[name]
        except (KeyError, TypeError):
            raise self._unknown(name, sorted({*self._entries, *self._lazy})) from None

    def all(self) -> dict[str, T]:
        """Every entry by name (a copy: changing it registers nothing)."""
        for name in list(self._lazy):
            if name not in self._entries:
                self._built(name)
        self.discover()
        with self._lock:
            return dict(self._entries)

    def discover(self) -> None:
        """Register every plugin's entry, once; a broken plugin fails loudly, every time."""
        with self._lock:
            if self._discovered:
                return
            from importlib.metadata import entry_points  # noqa: PLC0415 -- 20 ms, only when needed

            for point in entry_points(group=self.entry_point_group):
                where = f"entry point {point.name!r} ({point.value}) of group {point.group!r}"
                try:
                    found = point.load()
                except (Exception, SystemExit) as exc:  # a plugin's sys.exit() must not end the app
                    msg = (
                        f"The kelompok plugin {where} failed to import: {exc!r}. "
                        "Fix or uninstall it."
                    )
                    raise KelompokError(msg) from exc
                if not self._is_kind(found):
                    msg = (
                        f"The kelompok plugin {where} is a {type(found).__name__}, "
                        f"not a {self.kind.__name__}."
                    )
                    raise KelompokError(msg)
                if self._name_of(found) != point.name:
                    msg = (
                        f"The kelompok plugin {where} names the {self.what} "
                        f"{self._name_of(found)!r}; the entry point's name must be its name."
                    )
                    raise KelompokError(msg)
                self._add(found, where)
            self._discovered = True  # only now: a broken plugin fails every lookup until fixed
