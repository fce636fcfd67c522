"""The strict converter's happy path, compiled once per attrs class into one plain function.

Why: cattrs' detailed validation builds a result dict, tests every key, collects
errors and takes a set difference for unknown keys, in every class of a nested
value, and each text goes through a call of its hook. Most payloads and every
stored document kelompok wrote are valid, and for them that machinery only costs.

How it stays exactly as strict: the function made here calls the very hooks the
converter would call (the same ``exact_*`` checks, written inline for texts,
whole numbers and booleans, the same attrs classes with their own converters and
validators), descends only into exact ``dict`` and ``list`` values, and hands every
other value, and every attrs value whose keys are not exactly its fields, to the
converter's own hook. It collects nothing: at the first exception it gives up, and
:func:`kelompok._data.convert.structure_or_reasons` structures the value again the
slow way, which finds every problem and names its field. So what it returns is what
the converter returns, and what it refuses the converter refuses, with the
converter's reasons.

The hooks of :mod:`kelompok._data.convert` describe themselves for this with an
attribute ``fast_form`` (see :func:`describe_hook`); a hook without one is called as
it is.
"""

from __future__ import annotations

import itertools
import threading
import typing
from collections.abc import Callable
from typing import Any, Final, TypeVar

import attrs

from kelompok._base.frozen import own_frozen
from kelompok._base.scalars import exact_bool, exact_int, exact_text

Fast = Callable[[Any], Any]
H = TypeVar("H", bound=Callable[..., Any])

OPTIONAL: Final = "optional"
"""``fast_form = (OPTIONAL, inner_type)``: ``None`` or an *inner_type*."""
ITEMS: Final = "items"
"""``fast_form = (ITEMS, item_type, make)``: a list of items, made into ``make(items)``."""
MAPPING: Final = "mapping"
"""``fast_form = (MAPPING, key_type, value_type, mutable)``: a dict, frozen unless *mutable*."""
ATTRS: Final = "attrs"
"""``fast_form = (ATTRS, cls)``: a mapping of the fields of attrs class *cls*."""


def describe_hook(hook: H, *form: Any) -> H:
    """Mark a structure hook with its ``fast_form`` (one of the forms above); returns *hook*."""
    hook.fast_form = form  # type: ignore[attr-defined]
    return hook


class _Compiler:
    """Writes the source of one class's function; nested values become inline expressions."""

    def __init__(self, conv: Any, compiled: dict[type[Any], Fast | None]) -> None:
        self.conv = conv
        self.compiled = compiled
        self.names: dict[str, Any] = {"_own": own_frozen, "_tuple": tuple, "_str": str, "_int": int}
        self.counter = itertools.count()

    def name(self, value: Any) -> str:
        """A global name of the generated code for *value*."""
        name = f"_g{next(self.counter)}"
        self.names[name] = value
        return name

    def expr(self, t: Any, v: str) -> str:
        """An expression that structures the value in variable *v* as a *t*, as the hook would."""
        hook = self.conv.get_structure_hook(t)
        slow = f"{self.name(hook)}({v}, {self.name(t)})"
        inline = _INLINE.get(hook)
        if inline is not None:
            return inline.format(v=v, slow=slow)
        form = getattr(hook, "fast_form", None)
        if not form:
            return slow
        return self.form(form, v, slow)

    def form(self, form: tuple[Any, ...], v: str, slow: str) -> str:
        """The expression of a hook that describes itself (see :func:`describe_hook`)."""
        kind = form[0]
        if kind == OPTIONAL:
            return f"(None if {v} is None else {self.expr(form[1], v)})"
        x, k = f"_x{next(self.counter)}", f"_k{next(self.counter)}"
        if kind == ITEMS:
            make = "_tuple" if form[2] is tuple else self.name(form[2])
            item = self.expr(form[1], x)
            return f"({make}([{item} for {x} in {v}]) if type({v}) is list else {slow})"
        if kind == MAPPING:
            key, value = self.expr(form[1], k), self.expr(form[2], x)
            items = f"{{{key}: {value} for {k}, {x} in {v}.items()}}"
            made = items if form[3] else f"_own({items})"
            return f"({made} if type({v}) is dict else {slow})"
        fast = compile_class(self.conv, form[1], self.compiled) if kind == ATTRS else None
        if fast is None:
            return slow
        return f"({self.name(fast)}({v}) if type({v}) is dict else {slow})"


_INLINE: Final[dict[Any, str]] = {
    # each hook's own first test, written out: no call for a value that passes it
    exact_text: "({v} if type({v}) is _str and {v}.isascii() else {slow})",
    exact_int: f"({{v}} if type({{v}}) is _int and {-(2**63)} <= {{v}} < {2**63} else {{slow}})",
    exact_bool: "({v} if {v} is True or {v} is False else {slow})",
}


def compile_class(conv: Any, cls: type[Any], compiled: dict[type[Any], Fast | None]) -> Fast | None:
    """The fast function of attrs class *cls* for converter *conv* (``None``: there is none).

    It takes a ``dict``; one whose keys are not exactly the fields goes to the
    converter's own hook. *compiled* holds the functions made so far (and ``None`` for a
    class being made, so that a class that holds itself calls its hook there).
    """
    with _lock:  # one thread makes it; a class being made is None to the others meanwhile
        return _compile(conv, cls, compiled)


_lock = threading.RLock()


def _compile(conv: Any, cls: type[Any], compiled: dict[type[Any], Fast | None]) -> Fast | None:
    if cls in compiled:
        return compiled[cls]
    compiled[cls] = None
    fields = _plain_fields(cls) if attrs.has(cls) else None
    if fields is None:
        return None
    c = _Compiler(conv, compiled)
    hook, cl = c.name(conv.get_structure_hook(cls)), c.name(cls)
    lines = [
        "def fast(o):",
        f"    if len(o) != {len(fields)}:",
        f"        return {hook}(o, {cl})",
    ]
    for i, field in enumerate(fields):
        lines.append(f"    v = o[{field.name!r}]")
        lines.append(f"    a{i} = {c.expr(field.type, 'v')}")
    args = ", ".join(f"a{i}" for i in range(len(fields)))
    lines.append(f"    return {cl}({args})")
    source = "\n".join(lines)
    code = compile(source, f"<kelompok fast structure {cls.__qualname__}>", "exec")
    exec(code, c.names)  # noqa: S102 -- source made here from field names and hooks
    fast: Fast = c.names["fast"]
    compiled[cls] = fast
    return fast


def _plain_fields(cls: type[Any]) -> tuple[attrs.Attribute[Any], ...] | None:
    """The fields of *cls* if its ``__init__`` takes each by position with its declared type.

    Else ``None``: a class with fields out of ``__init__``, keyword-only ones, type
    variables or annotations that cattrs reads its own way keeps the converter's path.
    """
    if getattr(cls, "__parameters__", ()):
        return None
    attrs.resolve_types(cls)
    fields: tuple[attrs.Attribute[Any], ...] = attrs.fields(cls)
    for field in fields:
        t: Any = field.type  # a type, or None, a string or a special form
        if (
            not field.init
            or field.kw_only
            or t is None
            or isinstance(t, str | typing.TypeVar)
            or typing.get_origin(t) in (typing.Annotated, typing.Final, typing.ClassVar)
            or t is typing.Final
        ):
            return None
    return fields
