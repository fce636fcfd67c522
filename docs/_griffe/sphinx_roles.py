"""A griffe extension for the API reference: Sphinx roles in docstrings become links.

The docstrings are Google style but name other objects with Sphinx roles
(``:class:`~kelompok.Group```, ``:meth:`create```), which mkdocstrings would show as
written. This rewrites each role, before the docstring is parsed, into a mkdocstrings
cross-reference to the page that documents the object (``[`Group`][kelompok.Group]``),
so that ``mkdocs build --strict`` checks the link. A role naming something the reference
does not show (a private module, an undocumented member) becomes plain code. A reST
``::`` before an example is dropped: Markdown shows the indented block as code already.

mkdocs.yml loads it (``plugins: mkdocstrings: handlers: python: options: extensions``);
nothing in the package imports it.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(
    r":(?:class|func|meth|attr|data|mod|obj|exc):`"
    r"(?:(?P<title>[^`<]+?)\s*<(?P<explicit>[^`>]+)>|(?P<target>[^`]+))`"
)
"""A role: ``:meth:`create```, ``:class:`~kelompok.Group```, ``:meth:`Fire <Store.fire>```."""
LITERAL = re.compile(r"(?:^[ \t]*::[ \t]*\n|(?<=\S):(?=:[ \t]*$))", re.MULTILINE)
"""reST's literal-block marker: a ``::`` line goes, ``text::`` keeps one colon."""
PUBLIC_MODULES = ("kelompok", "kelompok.store", "kelompok.testing", "kelompok.cli")
"""The modules the reference shows, each with its ``__all__``."""


def _public_names(pkg: griffe.Module) -> dict[str, str]:
    """Canonical path -> the path the reference shows it under (``kelompok.Group``)."""
    shown: dict[str, str] = {}
    for module_path in PUBLIC_MODULES:
        module = pkg if module_path == pkg.path else pkg[module_path.removeprefix("kelompok.")]
        for name in module.exports or ():
            public = f"{module_path}.{name}"
            member = module.members.get(name)
            if member is None:
                continue
            canonical = member.target_path if member.is_alias else member.path
            shown.setdefault(canonical, public)
            shown.setdefault(public, public)
        shown[module.path] = module_path
    return shown


def _resolve(pkg: griffe.Module, scope: griffe.Object, target: str) -> griffe.Object | None:
    """The object *target* names, looked up as Sphinx would: in *scope*, then outwards."""
    candidates = []
    parent: griffe.Object | None = scope
    while parent is not None:
        candidates.append(f"{parent.path}.{target}")
        parent = parent.parent
    candidates += [target, f"kelompok.{target}"]
    for path in candidates:
        try:
            found = pkg.modules_collection.get_member(path)
        except (KeyError, ValueError, griffe.AliasResolutionError, griffe.CyclicAliasError):
            continue
        try:
            return found.final_target if found.is_alias else found
        except (griffe.AliasResolutionError, griffe.CyclicAliasError):
            return None
    return None


def _shown_path(obj: griffe.Object, shown: dict[str, str]) -> str | None:
    """The identifier of *obj* in the reference, if the reference renders it."""
    if obj.path in shown:
        return shown[obj.path]
    owner = obj.parent
    if owner is None or owner.path not in shown or obj.name.startswith("_"):
        return None
    if not obj.docstring or obj.name not in owner.members:  # undocumented: not rendered
        return None
    return f"{shown[owner.path]}.{obj.name}"


class SphinxRoles(griffe.Extension):
    """Rewrite the Sphinx roles of every docstring in the package."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:  # noqa: ARG002 -- griffe's hook
        """Once the whole package is loaded, rewrite each docstring's roles."""
        if pkg.path != "kelompok":
            return
        shown = _public_names(pkg)
        for obj in _walk(pkg):
            docstring = obj.docstring
            if docstring is None:
                continue
            docstring.value = LITERAL.sub("", docstring.value)  # the indented block stays code
            if ":`" not in docstring.value:
                continue
            scope = obj if obj.is_class or obj.is_module else (obj.parent or obj)

            def link(match: re.Match[str], scope: griffe.Object = scope) -> str:
                written = (match.group("explicit") or match.group("target")).strip()
                target = written.lstrip("~.").removesuffix("()")
                text = target.rsplit(".", 1)[-1] if written.startswith("~") else target
                text = match.group("title") or text
                found = _resolve(pkg, scope, target)
                where = None if found is None else _shown_path(found, shown)
                return f"[`{text}`][{where}]" if where else f"`{text}`"

            docstring.value = ROLE.sub(link, docstring.value)

    on_package_loaded = on_package  # the same hook, by its name in griffe 1


def _walk(obj: griffe.Object) -> list[griffe.Object]:
    """*obj* and every object defined in it (aliases are skipped: their targets are walked)."""
    found = [obj]
    for member in obj.members.values():
        if isinstance(member, griffe.Object):  # not an Alias
            found += _walk(member)
    return found
