"""The layers of docs/architecture.md, as the import graph has them.

``lint-imports`` (run by CI) checks the layer contract in ``pyproject.toml``;
this test checks what a layer contract cannot: that no module imports another
in a loop at run time, function-level imports included, and that modules stay
small enough to read.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

import grimp
import pytest

import kelompok

SOURCE = pathlib.Path(kelompok.__file__).parent
MAX_LINES = 500  # "rarely over ~400": the Group class is the one near the limit


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    # every import statement counts, in functions too; only TYPE_CHECKING blocks do not run
    return grimp.build_graph("kelompok", exclude_type_checking_imports=True, cache_dir=None)


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:  # noqa: C901 -- Tarjan, in one piece
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in graph.find_modules_directly_imported_by(module):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_another_in_a_loop(graph: grimp.ImportGraph) -> None:
    assert [] == _cycles(graph)


def test_the_cycle_finder_finds_a_loop() -> None:
    loop = grimp.ImportGraph()
    for name in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        loop.add_module(name)
    loop.add_import(importer="pkg.a", imported="pkg.b")
    loop.add_import(importer="pkg.b", imported="pkg.a")
    loop.add_import(importer="pkg.c", imported="pkg.a")
    assert [["pkg.a", "pkg.b"]] == _cycles(loop)


def test_the_core_knows_nothing_of_the_built_in_types(graph: grimp.ImportGraph) -> None:
    core = ("_base", "_data", "_definition", "_runtime", "_codec", "_types")
    leaks = [
        (module, imported)
        for module in sorted(graph.modules)
        if module.split(".")[1:2] and module.split(".")[1] in core
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.startswith("kelompok._formation")
    ]
    assert [] == leaks


def test_modules_stay_small() -> None:
    long = {
        str(path.relative_to(SOURCE)): lines
        for path in sorted(SOURCE.rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert {} == long


def _fresh(code: str) -> str:
    """What *code* prints in a new interpreter (a module imported once stays imported)."""
    command = [sys.executable, "-c", code]  # our own code, in this very interpreter
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    return done.stdout.strip()


def test_importing_kelompok_does_not_build_the_built_in_types():
    code = (
        "import sys, kelompok; print(any(m.startswith('kelompok._formation') for m in sys.modules))"
    )
    assert "False" == _fresh(code)


@pytest.mark.parametrize(
    "use",
    [
        "kelompok.PROFESSIONAL.name",
        "kelompok.get_group_type('volunteer').name",
        "sorted(kelompok.group_types())",
        "kelompok.Member(id='a', name='A').id",
        "'Member' in dir(kelompok)",
    ],
)
def test_any_use_of_the_built_in_types_builds_them(use):
    assert "None" != _fresh(f"import kelompok; print({use})")


def test_a_document_of_a_built_in_type_loads_in_a_fresh_process():
    document = kelompok.VOLUNTEER.create(name="Relawan").to_dict()
    code = f"import kelompok; print(type(kelompok.load({document!r})).__name__)"
    assert "VolunteerGroup" == _fresh(code)


def test_an_unknown_name_is_still_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'NOPE'"):
        _ = kelompok.NOPE  # type: ignore[attr-defined]
