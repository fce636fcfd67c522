"""The docs are executable: their examples run and their generated sections are current.

* Every fenced ``python`` block of ``docs/*.md`` (and of the README's "A taste"
  section) runs, in order, in one fresh namespace per file.
* Every section between ``<!-- generated: TYPE LANG -->`` and
  ``<!-- end generated -->`` equals the output of ``python -m kelompok docs TYPE
  --lang LANG``. After changing a group type, refresh them all with
  ``python tests/test_docs.py --write``.
* Every module's doctests pass.
* Relative links in the docs and the README point at files that exist.
"""

from __future__ import annotations

import contextlib
import difflib
import doctest
import importlib
import io
import pkgutil
import re
import sys
import traceback
from pathlib import Path

import pytest

import kelompok
from kelompok.__main__ import main as kelompok_main

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
EXPECTED_PAGES = (
    "cli.md",
    "custom-types.md",
    "documents.md",
    "getting-started.md",
    "glossary.md",
    "index.md",
    "integrations.md",
    "professional.md",
    "postgresql.md",
    "storing.md",
    "volunteer.md",
)

FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
GENERATED = re.compile(
    r"^<!-- generated: (?P<type>\S+) (?P<lang>\S+) -->\n"
    r"(?P<body>.*?)"
    r"^<!-- end generated -->$",
    re.MULTILINE | re.DOTALL,
)
LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


def doc_pages() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def readme_taste() -> str:
    """The README's "A taste" section; the lines before it are blanked, not removed.

    Keeping the line count keeps the line numbers of failures true to README.md.
    """
    text = README.read_text(encoding="utf-8")
    match = re.search(r"^## A taste\n(.*?)(?=^## )", text, re.MULTILINE | re.DOTALL)
    assert match is not None, "README.md has no '## A taste' section"
    return "\n" * text.count("\n", 0, match.start(1)) + match.group(1)


def python_blocks(text: str) -> list[tuple[int, str]]:
    """``(line number, code)`` of every fenced python block, in order."""
    return [
        (text.count("\n", 0, m.start()) + 2, m.group("body"))
        for m in FENCE.finditer(text)
        if m.group("info").strip() == "python"
    ]


def generator_output(type_name: str, lang: str) -> str:
    """What ``python -m kelompok docs TYPE --lang LANG`` prints."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = kelompok_main(["docs", type_name, "--lang", lang])
    assert code == 0
    return out.getvalue()


def regenerate(text: str) -> str:
    """*text* with every generated section replaced by the generator's current output."""

    def fresh(match: re.Match[str]) -> str:
        body = generator_output(match.group("type"), match.group("lang"))
        return (
            f"<!-- generated: {match.group('type')} {match.group('lang')} -->\n"
            f"{body}\n<!-- end generated -->"
        )

    return GENERATED.sub(fresh, text)


def run_blocks(name: str, text: str) -> dict[str, object]:
    """Execute the python blocks of one file in one namespace; fail naming the block."""
    blocks = python_blocks(text)
    assert blocks, f"{name} has no python examples"
    namespace: dict[str, object] = {"__name__": f"docs:{name}"}
    for number, (line, code) in enumerate(blocks, start=1):
        where = f"{name}, python block {number} (line {line})"
        failure = None
        try:
            # Pad with blank lines so that tracebacks give the line number in the file.
            source = "\n" * (line - 1) + code
            exec(compile(source, name, "exec"), namespace)  # noqa: S102 -- running our docs is the point
        except Exception as exc:  # noqa: BLE001 -- any failure is reported with its block
            # Drop this function's frame: the reader wants the line in the docs.
            failure = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__.tb_next))
        if failure is not None:
            pytest.fail(f"{where} failed:\n{failure}", pytrace=False)
    return namespace


# -- the examples run -------------------------------------------------------------


def test_every_expected_page_exists() -> None:
    missing = set(EXPECTED_PAGES) - {p.name for p in doc_pages()}
    assert set() == missing


def _page(path: Path) -> object:
    """A page to run; the PostgreSQL page needs the test server."""
    marks = [pytest.mark.postgres] if path.name == "postgresql.md" else []
    return pytest.param(path, id=path.name, marks=marks)


@pytest.mark.parametrize("page", [_page(p) for p in doc_pages()])
def test_python_blocks_run(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """Each page runs with ``$KELOMPOK_DB`` naming a fresh database, as a new deployment would."""
    if page.name == "postgresql.md":
        monkeypatch.setenv("KELOMPOK_DB", request.getfixturevalue("postgres_url"))
    else:
        monkeypatch.setenv("KELOMPOK_DB", str(tmp_path / "kelompok.db"))
    run_blocks(f"docs/{page.name}", page.read_text(encoding="utf-8"))


def test_custom_types_diagram_is_the_generated_one() -> None:
    text = (DOCS / "custom-types.md").read_text(encoding="utf-8")
    namespace = run_blocks("docs/custom-types.md", text)
    drawn = [m.group("body") for m in FENCE.finditer(text) if m.group("info").strip() == "mermaid"]
    tuckman = namespace["TUCKMAN"]
    assert isinstance(tuckman, kelompok.GroupType)
    assert [kelompok.mermaid(tuckman)] == drawn, "paste print(kelompok.mermaid(TUCKMAN)) here"


def test_readme_taste_runs(capsys: pytest.CaptureFixture[str]) -> None:
    run_blocks("README.md", readme_taste())
    out = capsys.readouterr().out
    assert "charter.missing" in out


def test_a_failing_block_is_named() -> None:
    text = "```python\nx = 1\n```\n\nprose\n\n```python\nassert x == 2\n```\n"
    with pytest.raises(pytest.fail.Exception) as info:
        run_blocks("example.md", text)
    assert "example.md, python block 2 (line 8)" in str(info.value)


# -- generated sections are current -----------------------------------------------


def generated_sections() -> list[tuple[str, str, str, str]]:
    """``(page, type, lang, body)`` of every generated section in the docs."""
    return [
        (page.name, m.group("type"), m.group("lang"), m.group("body"))
        for page in doc_pages()
        for m in GENERATED.finditer(page.read_text(encoding="utf-8"))
    ]


def test_each_type_page_embeds_both_languages() -> None:
    found = {(page, type_, lang) for page, type_, lang, _ in generated_sections()}
    expected = {
        (f"{type_}.md", type_, lang)
        for type_ in ("professional", "volunteer")
        for lang in ("en", "id")
    }
    assert expected <= found


def test_markers_are_paired() -> None:
    for page in doc_pages():
        text = page.read_text(encoding="utf-8")
        starts = text.count("<!-- generated:")
        assert starts == len(GENERATED.findall(text)), f"docs/{page.name}: unpaired marker"
        assert starts == text.count("<!-- end generated -->"), f"docs/{page.name}: stray end"


@pytest.mark.parametrize(
    ("page", "type_name", "lang"),
    [
        pytest.param(page, type_name, lang, id=f"{page}-{lang}")
        for page, type_name, lang, _ in generated_sections()
    ],
)
def test_generated_section_is_current(page: str, type_name: str, lang: str) -> None:
    current = generator_output(type_name, lang).strip("\n")
    for p, t, la, body in generated_sections():
        if (p, t, la) != (page, type_name, lang) or body.strip("\n") == current:
            continue
        diff = difflib.unified_diff(
            body.strip("\n").splitlines(),
            current.splitlines(),
            f"docs/{page} ({type_name} {lang})",
            f"python -m kelompok docs {type_name} --lang {lang}",
            lineterm="",
        )
        pytest.fail(
            f"docs/{page}: the generated section '{type_name} {lang}' is out of date. "
            "Regenerate it with `python tests/test_docs.py --write`, or paste the output of "
            f"`python -m kelompok docs {type_name} --lang {lang}` between its markers.\n"
            + "\n".join(list(diff)[:40]),
            pytrace=False,
        )


def test_the_generator_matches_the_diagram_module() -> None:
    from kelompok._types.diagram import events_table, mermaid  # noqa: PLC0415

    for group_type in (kelompok.PROFESSIONAL, kelompok.VOLUNTEER):
        for lang in ("en", "id"):
            expected = f"```mermaid\n{mermaid(group_type, lang)}```\n\n"
            expected += events_table(group_type, lang)
            assert expected == generator_output(group_type.name, lang)


# -- doctests ---------------------------------------------------------------------


def package_modules() -> list[str]:
    names = ["kelompok"]
    names += [m.name for m in pkgutil.walk_packages(kelompok.__path__, prefix="kelompok.")]
    return sorted(names)


@pytest.mark.parametrize("module_name", package_modules())
def test_doctests_pass(module_name: str) -> None:
    module = importlib.import_module(module_name)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=True)
    assert result.failed == 0, f"doctests of {module_name} failed:\n{out.getvalue()}"


def test_the_package_has_doctests() -> None:
    finder = doctest.DocTestFinder()
    examples = sum(len(t.examples) for t in finder.find(kelompok, "kelompok"))
    assert examples > 0


# -- links --------------------------------------------------------------------------


@pytest.mark.parametrize("page", [*doc_pages(), README], ids=lambda p: p.name)
def test_relative_links_resolve(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    broken = [
        target
        for target in (m.group("target") for m in LINK.finditer(text))
        if "://" not in target
        and not target.startswith(("#", "mailto:"))
        and not (page.parent / target.split("#")[0]).exists()
    ]
    assert [] == broken, f"{page.name}: broken relative links"


# -- the site --------------------------------------------------------------------


def nav_pages() -> list[str]:
    """The pages mkdocs.yml's ``nav`` lists, in order (read without a YAML parser)."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = text[text.index("\nnav:\n") :]
    return re.findall(r"^\s+- (?:[^\n]*?: )?(\S+\.md)[ \t]*$", nav, re.MULTILINE)


def test_the_site_nav_lists_every_page_once() -> None:
    pages = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))
    assert sorted(nav_pages()) == pages, "mkdocs.yml's nav must list every page of docs/, once"


def test_the_api_reference_has_every_public_name() -> None:
    """Each name of ``kelompok.__all__`` has its entry (``::: kelompok.NAME``) in docs/reference."""
    text = "".join(p.read_text(encoding="utf-8") for p in (DOCS / "reference").glob("*.md"))
    missing = [name for name in kelompok.__all__ if f"::: kelompok.{name}\n" not in text]
    assert [] == missing, "add them to a page of docs/reference/"


# -- refresh the generated sections -------------------------------------------------


def write_generated() -> list[Path]:
    """Rewrite every generated section in place; return the pages that changed."""
    changed = []
    for page in doc_pages():
        text = page.read_text(encoding="utf-8")
        new = regenerate(text)
        if new != text:
            page.write_text(new, encoding="utf-8")
            changed.append(page)
    return changed


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/test_docs.py --write   (refresh the generated doc sections)")
    for path in write_generated():
        print(f"updated {path.relative_to(ROOT)}")  # noqa: T201 -- a command-line helper
