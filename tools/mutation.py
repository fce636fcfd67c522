"""Mutation testing of the core modules: mutmut 3 for the functions, this script for the rest.

    python tools/mutation.py [SET ...]      # run, then report; exit 1 below 95% in a module
    python tools/mutation.py --report [SET ...]   # report what earlier runs found
    python tools/mutation.py --show ID      # the change a mutant makes
    python tools/mutation.py --recheck [SET ...]  # run the mutants listed as equivalent too

A SET is a group of core modules (``graph``, ``store``, ``rules``, ``documents``,
``group``) or one of them by the end of its name (``store._calls``); none means all.
Results are kept in ``mutants/`` (git-ignored): a second run tests only the functions
that changed since, as ``mutmut run`` does.

Two kinds of mutants:

* **functions** — ``mutmut run`` (configured in ``pyproject.toml``'s ``[tool.mutmut]``),
  one worker. mutmut forks a child per mutant from a process that has already imported
  kelompok and the tests, so code that ran then — the built-in types are built as the
  tests are imported, calling the rule builders — would never see its mutant. Two patches
  to mutmut's runner handle that: in the child of a mutant whose function was called
  while the tests were collected, every module loaded from ``mutants/`` (kelompok and
  the tests) is dropped from ``sys.modules``, so the tests import kelompok again with
  the mutant active; and those functions count as called by every test but the slow
  ones (``SLOW_TESTS``). Any other mutant runs on the modules as imported (its function
  runs only in tests, where the trampoline calls the mutant), and only if it survives
  is it run again on modules imported anew: a fifth of the time per mutant. Either
  way 20 of a mutant's tests run first, alone — those that killed other mutants of
  its function, then the fastest — and the rest only if they pass.
* **declarations** — mutmut mutates function bodies only. The rules of the built-in
  types are module-level lambdas (``req("needs.missing", ..., lambda g, p: ...)``);
  this script makes the same mutants of them with mutmut's own operators, and runs
  the tests but the slow ones on each in a forked child that imports the mutated source.

A surviving mutant that no test can kill — it changes nothing a caller can see — is
listed in ``tests/mutation/equivalent.toml`` with the changed line and a one-line
reason; the score leaves it out. An entry whose mutant is gone or changes another
line is stale and fails the run, so the list cannot hide a real survivor. A listed
mutant is not run while it makes the listed change (each would cost two runs of every
test that calls its function: minutes for some); ``--recheck`` runs them, and an entry
whose mutant a test now kills is stale too. Every other survivor is tried again by the
next run, as new tests may kill it.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import heapq
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomllib

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT = ROOT / "tests" / "mutation" / "equivalent.toml"
DECLARATIONS = ROOT / "mutants" / "declarations.json"
AT_IMPORT = ROOT / "mutants" / "at-import.json"  # the functions called as the tests are collected
KILLERS = ROOT / "mutants" / "killers.txt"  # "function<TAB>test" for each test that killed a mutant
THRESHOLD = 95.0
RECHECK = "KELOMPOK_MUTATION_RECHECK"  # "1": run the mutants listed as equivalent too

SETS: dict[str, list[str]] = {
    "graph": ["src/kelompok/_definition/graph.py", "src/kelompok/_types/verify.py"],
    "store": [
        "src/kelompok/store/_calls.py",
        "src/kelompok/store/_rows.py",
        "src/kelompok/store/_ops.py",
    ],
    "rules": [
        "src/kelompok/_formation/predicates.py",
        "src/kelompok/_formation/program_rules.py",
        "src/kelompok/_formation/effects.py",
        "src/kelompok/_formation/invariants.py",
        "src/kelompok/_formation/requirements.py",
    ],
    "documents": sorted(
        str(p.relative_to(ROOT))
        for p in (ROOT / "src/kelompok/_codec").glob("*.py")
        if p.name != "__init__.py"
    ),
    "group": [
        "src/kelompok/_runtime/outcome.py",
        "src/kelompok/_runtime/checks.py",
        "src/kelompok/_runtime/group.py",
    ],
}
# The slow tests (two thirds of the suite's time: the store on PostgreSQL, the attacks,
# the property tests, the docs). The other tests run on each declaration mutant, and on
# each mutant of a function that runs while the tests are collected (building the
# built-in types), as nearly every test uses those types.
SLOW_TESTS = [
    "tests/adversarial/",
    "tests/test_store.py",
    "tests/test_properties.py",
    "tests/test_docs.py",
    "tests/test_testing_kit.py",
    "tests/test_cli.py",
]
# grimp scans imports on a rayon thread pool, which a forked child does not have: it hangs
FORKLESS_TESTS = [
    "tests/test_architecture.py::test_no_module_imports_another_in_a_loop",
    "tests/test_architecture.py::test_the_core_knows_nothing_of_the_built_in_types",
]
FAST_TESTS = [
    "tests",
    *(f"--ignore={p}" for p in SLOW_TESTS),
    *(f"--deselect={t}" for t in FORKLESS_TESTS),
]
DECLARATION_TESTS: dict[str, list[str]] = {"rules": FAST_TESTS}
PYTEST_ARGS = ["-x", "-q", "-p", "no:cacheprovider", "-p", "no:asyncio", "-p", "no:randomly"]
PYTEST_ARGS += ["-W", "ignore::pytest.PytestUnraisableExceptionWarning"]  # as pyproject.toml
# mutmut's exit codes that count as killed: a failing test, pytest's internal error
# and 38, the tests not done in twice their time plus a minute (_wall_clock_limit): the
# mutant loops or deadlocks them, which no survivor does
HUNG = 38
FIRST_TESTS = 20  # a mutant's fastest tests, run before the rest of its tests
KILLED = {1, 3, HUNG}
SURVIVED = {0, 5, 33}  # tests passed, none were collected, none call the mutated function
# Stopped at mutmut's CPU limit or the declarations' limit: not a kill. A surviving
# mutant runs every test it has, which takes longest, so a timeout may be a survivor;
# it is tried again on the next run (unless listed as equivalent), and counts against
# the score until then.
TIMEOUT = {24, -24, 152, 255, 36}


def module_of(path: str) -> str:
    """``src/kelompok/_codec/head.py`` -> ``kelompok._codec.head``."""
    return path.removeprefix("src/").removesuffix(".py").replace("/", ".")


# -- mutmut, patched ------------------------------------------------------------------


def _drop_mutated_modules() -> None:
    """Forget every module loaded from ``mutants/``, so the tests import them anew."""
    here = (ROOT / "mutants").resolve()
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and Path(file).resolve().is_relative_to(here):
            del sys.modules[name]


class _CollectedHits:
    """A pytest plugin for mutmut's stats run: calls made while collecting count for more tests.

    mutmut gives the calls made before the first test (importing the tests builds the
    built-in types) to the first test alone; this gives them to each test not in
    ``SLOW_TESTS`` too.
    """

    def __init__(self, state: Any) -> None:
        self.state = state
        self.at_import: set[str] = set()

    def pytest_collection_finish(self) -> None:
        # The built-in types are built as kelompok._formation is imported, which the
        # tests' modules no longer do as they are collected: import it here, so that the
        # rule builders count as called at import and not by the first test alone.
        import kelompok  # noqa: PLC0415

        _ = (kelompok.PROFESSIONAL, kelompok.VOLUNTEER)
        self.at_import = set(self.state()._stats)  # noqa: SLF001 -- mutmut's record of calls
        # a run of the new tests alone may find kelompok imported already: keep what the
        # run of them all found (a function no longer called at import only costs time)
        if AT_IMPORT.exists():
            self.at_import |= set(json.loads(AT_IMPORT.read_text()))
        AT_IMPORT.write_text(json.dumps(sorted(self.at_import)))

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_teardown(self, item: Any) -> None:
        if not item.nodeid.startswith(tuple(SLOW_TESTS)):
            self.state()._stats.update(self.at_import)  # noqa: SLF001


class _NoteKiller:
    """A pytest plugin for a mutant's run: note the failing test for its function's next mutants.

    A mutant's siblings (the other mutants of its function) mostly fail the same test,
    so the next one runs it first (:func:`run_mutmut`'s ``staged``).
    """

    def __init__(self, function: str) -> None:
        self.function = function

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.failed:
            with KILLERS.open("a", encoding="utf-8") as file:
                file.write(f"{self.function}\t{report.nodeid}\n")


def _killers(function: str) -> list[str]:
    """The tests that killed mutants of *function*, the latest first."""
    if not KILLERS.exists():
        return []
    found: dict[str, None] = {}
    for line in reversed(KILLERS.read_text(encoding="utf-8").splitlines()):
        name, _, test = line.partition("\t")
        if name == function:
            found.setdefault(test)
    return list(found)


def _wall_clock_limit(state: Any, config: Any, tests: Any) -> threading.Timer:
    """End this mutant's child as a timeout after its time limit, even while it sleeps.

    mutmut's own limit counts CPU seconds, which a mutant that deadlocks the tests'
    threads never spends, and is eight times their time. This one is on the clock, for
    one run of the tests: twice their time in mutmut's run of the suite, plus mutmut's
    ``timeout_constant`` (a child imports the tests' modules first). A mutant stopped here
    loops or deadlocks the tests, and counts as killed (``HUNG``).
    """
    seconds = sum(state.duration_by_test.get(t, 0.0) for t in tests)
    limit = 2 * seconds + config.timeout_constant
    timer = threading.Timer(limit, os._exit, args=(HUNG,))
    timer.daemon = True
    timer.start()
    return timer


def _started(pid: int) -> str | None:
    """When process *pid* started (``/proc/PID/stat``'s 22nd field), or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rpartition(")")[2].split()[19]  # the fields after the command's name


_DEADLINES: list[tuple[float, int, str]] = []  # (when, pid, its start): a heap
_DEADLINE_ADDED = threading.Condition()


def _register_timeout(pid: int, timeout_s: float) -> None:
    """As mutmut's ``register_timeout``: SIGXCPU to *pid* at its deadline, if still the same one.

    mutmut's own keeps the deadlines of children long done and at each one signals
    whatever process then has the number: once the numbers wrap (32,768 of them here,
    soon used up by the store's tests), a mutant's child is stopped within a second,
    as a timeout, by the deadline of another's. (The thread that signals is started in
    the process that sets a deadline: a forked process has none of its parent's threads.)
    """
    started = _started(pid)
    if started is None:
        return
    with _DEADLINE_ADDED:
        if not any(t.name == "deadlines" for t in threading.enumerate()):
            threading.Thread(target=_signal_at_deadlines, name="deadlines", daemon=True).start()
        heapq.heappush(_DEADLINES, (time.monotonic() + timeout_s, pid, started))
        _DEADLINE_ADDED.notify()


def _signal_at_deadlines() -> None:
    with _DEADLINE_ADDED:
        while True:
            now = time.monotonic()
            while _DEADLINES and _DEADLINES[0][0] <= now:
                _, pid, started = heapq.heappop(_DEADLINES)
                if _started(pid) == started:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGXCPU)
            _DEADLINE_ADDED.wait(_DEADLINES[0][0] - now if _DEADLINES else None)


def run_mutmut(paths: list[str]) -> None:
    """``mutmut run`` with one worker, for the mutants of *paths* (all of them are mutated)."""
    import mutmut.__main__ as mm  # noqa: PLC0415 -- only this phase needs mutmut
    from mutmut.configuration import config  # noqa: PLC0415
    from mutmut.runners.harness import PytestRunner  # noqa: PLC0415
    from mutmut.state import state  # noqa: PLC0415
    from mutmut.workers import isolation  # noqa: PLC0415

    run_tests, execute = PytestRunner.run_tests, PytestRunner.execute_pytest

    def staged(self: Any, mutant_name: str, tests: Any) -> int:
        # mutmut hands the tests over as a set, which pytest collects file by file in no
        # useful order; the tests that killed this function's other mutants first, then
        # the fastest, alone, as most mutants fail one of them, and only if they all
        # pass the rest (pytest collects only the files named)
        duration = state().duration_by_test
        tests = set(tests)
        function = mutant_name.partition("__mutmut_")[0]
        known = [t for t in _killers(function) if t in tests][:FIRST_TESTS]
        by_time = sorted(tests.difference(known), key=lambda t: (duration.get(t, 0.0), t))
        ordered = known + by_time
        first, rest = ordered[:FIRST_TESTS], ordered[FIRST_TESTS:]
        code = run_tests(self, mutant_name=mutant_name, tests=first)
        if code in SURVIVED and rest:
            return run_tests(self, mutant_name=mutant_name, tests=rest)
        return code

    def fresh_run_tests(self: Any, *, mutant_name: str | None, tests: Any) -> int:
        if not mutant_name:
            return run_tests(self, mutant_name=mutant_name, tests=tests)
        # written by the stats run, which comes before the first mutant
        at_import = set(json.loads(AT_IMPORT.read_text())) if AT_IMPORT.exists() else None
        limit = _wall_clock_limit(state(), config(), tests)
        function = mutant_name.partition("__mutmut_")[0]
        if at_import is not None and function not in at_import:
            # its function ran only in tests, which the trampoline sends to the mutant:
            # no module need be imported again, unless the mutant survives that way
            code = staged(self, mutant_name, tests)
            if code not in SURVIVED:
                return code
            limit.cancel()
            limit = _wall_clock_limit(state(), config(), tests)  # the same time again
        _drop_mutated_modules()
        return staged(self, mutant_name, tests)

    def execute_with_hits(self: Any, params: list[str], **kwargs: Any) -> int:
        under_test = os.environ.get("MUTANT_UNDER_TEST", "")
        if under_test == "stats":
            kwargs["plugins"] = [*kwargs.get("plugins", []), _CollectedHits(state)]
        elif "__mutmut_" in under_test:
            function = under_test.partition("__mutmut_")[0]
            kwargs["plugins"] = [*kwargs.get("plugins", []), _NoteKiller(function)]
        return execute(self, params, **kwargs)

    isolation.register_timeout = _register_timeout  # type: ignore[attr-defined]
    PytestRunner.run_tests = fresh_run_tests  # type: ignore[method-assign]
    PytestRunner.execute_pytest = execute_with_hits  # type: ignore[method-assign]

    modules = tuple(module_of(p) + "." for p in paths)
    collect = mm.collect_source_file_mutation_data

    listed = tomllib.loads(EQUIVALENT.read_text()).get("mutant", {})

    def tried_again(name: str, result: int | None) -> bool:
        # a survivor or a timeout is tried again, as new tests may kill it; not one
        # listed as equivalent for the change it still makes (no test can kill it: trying
        # it again would cost two runs of its tests, and a timeout is no kill either)
        if result not in SURVIVED and result not in TIMEOUT:
            return False
        entry = listed.get(name)
        return entry is None or entry["line"] != mutant_change(name)

    recheck = os.environ.get(RECHECK) == "1"

    def result_of(name: str, result: int | None) -> int | None:
        # a mutant never run (a first run, or its function changed) is not run if it is
        # listed as equivalent for the change it makes: each costs two runs of every test
        # that calls its function, minutes for some; --recheck runs every listed one
        if recheck and name in listed:
            return None  # run again, whatever an earlier run found
        if result is None:
            entry = listed.get(name)
            if entry is not None and entry["line"] == mutant_change(name):
                return 0
        return None if tried_again(name, result) else result

    def chosen(*, mutant_names: Any) -> Any:
        # the chosen modules' mutants, with the survivors to try again
        mutants, by_path = collect(mutant_names=mutant_names)
        return [
            (data, name, result_of(name, result))
            for data, name, result in mutants
            if name.startswith(modules)
        ], by_path

    def clean_tests(names: Any) -> set[str]:
        # the clean run runs the tests of the chosen modules' functions, not the whole suite
        if names:
            return set(tests_for(names))
        return {
            t
            for key, tests in state().tests_by_mangled_function_name.items()
            if key.startswith(modules)
            for t in tests
        }

    tests_for = mm.tests_for_mutant_names
    _refresh_data_files()
    mm.collect_source_file_mutation_data = chosen  # type: ignore[assignment]
    mm.tests_for_mutant_names = clean_tests  # type: ignore[assignment]
    os.chdir(ROOT)
    mm._run([], max_children=1)  # noqa: SLF001 -- mutmut's own entry point for `run`


def _refresh_data_files() -> None:
    """Copy the package's files that are not Python (the catalogs) into ``mutants/`` again.

    mutmut copies the source tree once and later brings only the Python files up to
    date: a message added to a catalog since would be missing from the mutants' package.
    """
    for source in (ROOT / "src").rglob("*"):
        if source.is_dir() or source.suffix == ".py" or "__pycache__" in source.parts:
            continue
        target = ROOT / "mutants" / source.relative_to(ROOT)
        if not target.exists() or target.read_bytes() != source.read_bytes():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


# -- declarations -------------------------------------------------------------------


def declaration_mutants(path: str) -> list[dict[str, str]]:
    """The mutants mutmut's operators make of the module-level lambdas of *path* (with sources)."""
    import libcst as cst  # noqa: PLC0415
    from mutmut.mutation.mutators import mutation_operators  # noqa: PLC0415

    source = (ROOT / path).read_text()
    module = cst.parse_module(source)
    lambdas: list[cst.Lambda] = []

    class Find(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:  # noqa: N802, ARG002
            return False  # mutmut's own (the body of a function runs after the fork)

        def visit_Lambda(self, node: cst.Lambda) -> bool:  # noqa: N802
            lambdas.append(node)
            return False

    module.visit(Find())
    out: list[dict[str, str]] = []
    seen: dict[str, int] = {}

    class Walk(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.nodes: list[cst.CSTNode] = []

        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, cst.Annotation):
                return False
            self.nodes.append(node)
            return True

    for lam in lambdas:
        walk = Walk()
        lam.visit(walk)
        for node in walk.nodes:
            for kind, operator in mutation_operators:
                if not isinstance(node, kind):
                    continue
                for mutated in operator(node):
                    new_lambda = lam.deep_replace(node, mutated)
                    before = module.code_for_node(lam)
                    after = module.code_for_node(new_lambda)  # type: ignore[arg-type]
                    if before == after:
                        continue
                    digest = hashlib.sha256(f"{before}\0{after}".encode()).hexdigest()[:8]
                    n = seen.get(digest, 0)
                    seen[digest] = n + 1
                    out.append(
                        {
                            "id": f"{module_of(path)}.lambda__{digest}{'_' * n}",
                            "path": path,
                            "before": " ".join(before.split()),
                            "after": " ".join(after.split()),
                            "source": module.deep_replace(lam, new_lambda).code,  # type: ignore[union-attr]
                        }
                    )
    return out


def _import_source(module_name: str, path: Path, source: str) -> None:
    """Make ``import module_name`` load *source* (a mutant) instead of the file."""
    import importlib.abc  # noqa: PLC0415
    import importlib.util  # noqa: PLC0415

    class Loader(importlib.abc.SourceLoader):
        def get_filename(self, fullname: str) -> str:  # noqa: ARG002
            return str(path)

        def get_data(self, filename: str) -> bytes:
            if filename == str(path):
                return source.encode()
            return Path(filename).read_bytes()

        def path_stats(self, path: str) -> Any:  # no bytecode cache for the mutant
            raise OSError(path)

    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, fullname: str, target: Any = None, *_: Any) -> Any:  # noqa: ARG002
            if fullname != module_name:
                return None
            return importlib.util.spec_from_file_location(fullname, path, loader=Loader())

    sys.meta_path.insert(0, Finder())


def _in_child(mutant: dict[str, str] | None, tests: list[str], limit: float) -> int:
    """Run *tests* on *mutant* (or on the source, if None) in a forked child: its exit code."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover -- the child
        code = 3
        try:
            if mutant is not None:
                _import_source(module_of(mutant["path"]), ROOT / mutant["path"], mutant["source"])
            sys.stdout = sys.stderr = Path(os.devnull).open("w")  # noqa: SIM115
            code = int(pytest.main([*tests, *PYTEST_ARGS]))
        finally:
            os._exit(code)
    deadline = time.monotonic() + limit
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return 36
        time.sleep(0.05)


def run_declarations(paths: list[str], tests: list[str]) -> None:
    """Test every declaration mutant of *paths* not already tested against this source."""
    # imported once, before the children fork (not hypothesis: pytest rewrites its asserts)
    import sqlalchemy  # noqa: F401, PLC0415
    import transitions  # noqa: F401, PLC0415

    os.chdir(ROOT)
    known = json.loads(DECLARATIONS.read_text()) if DECLARATIONS.exists() else {}
    todo = []
    for path in paths:
        stamp = _stamp([path], " ".join(tests))
        for mutant in declaration_mutants(path):
            old = known.get(mutant["id"])
            if old is None or old["stamp"] != stamp or old["exit_code"] not in KILLED:
                todo.append((mutant, stamp))
    if not todo:
        return
    start = time.monotonic()
    if _in_child(None, tests, 3600) != 0:
        sys.exit("the declaration tests fail on the unmutated source")
    clean = time.monotonic() - start
    print(f"declarations: {len(todo)} mutants, the clean run took {clean:.1f} s")
    for i, (mutant, stamp) in enumerate(todo, 1):
        began = time.monotonic()
        code = _in_child(mutant, tests, 3 * clean + 10)
        known[mutant["id"]] = {
            "path": mutant["path"],
            "before": mutant["before"],
            "after": mutant["after"],
            "exit_code": code,
            "stamp": stamp,
            "seconds": round(time.monotonic() - began, 2),
        }
        verdict = "killed" if code in KILLED else "TIMEOUT" if code in TIMEOUT else "SURVIVED"
        print(f"  {i}/{len(todo)} {verdict} {mutant['id']}")
        DECLARATIONS.parent.mkdir(exist_ok=True)
        DECLARATIONS.write_text(json.dumps(known, indent=1, sort_keys=True))


def _stamp(paths: list[str], more: str) -> str:
    digest = hashlib.sha256(more.encode())
    for p in paths:
        digest.update((ROOT / p).read_bytes())
    return digest.hexdigest()[:16]


# -- the report -----------------------------------------------------------------------


def _mutmut_results(path: str) -> dict[str, int | None]:
    meta = ROOT / "mutants" / (path + ".meta")
    if not meta.exists():
        return {}
    return dict(json.loads(meta.read_text())["exit_code_by_key"])


def mutant_change(name: str) -> str:
    """The changed line(s) of a mutant, as ``before -> after`` (either kind)."""
    known = json.loads(DECLARATIONS.read_text()) if DECLARATIONS.exists() else {}
    if name in known:
        return f"{known[name]['before']}  ->  {known[name]['after']}"
    from mutmut.mutation.diff_apply import get_diff_for_mutant  # noqa: PLC0415

    module = name.partition(".x_")[0].partition(".xǁ")[0]
    path = next(p for ps in SETS.values() for p in ps if module_of(p) == module)
    with _cwd(ROOT):
        diff = get_diff_for_mutant(name, path=path)
    minus = [ln[1:].strip() for ln in diff.splitlines() if ln.startswith("-") and ln[1:2] != "-"]
    plus = [ln[1:].strip() for ln in diff.splitlines() if ln.startswith("+") and ln[1:2] != "+"]
    return f"{' / '.join(minus)}  ->  {' / '.join(plus)}"


@contextlib.contextmanager
def _cwd(path: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def report(paths: list[str]) -> int:
    """Print the score of each module of *paths*; 1 if one is below the threshold or stale."""
    listed: dict[str, dict[str, str]] = tomllib.loads(EQUIVALENT.read_text()).get("mutant", {})
    declarations = json.loads(DECLARATIONS.read_text()) if DECLARATIONS.exists() else {}
    failed = False
    print(f"{'module':<34} {'killed':>6} {'equiv':>5} {'other':>5} {'score':>7}")
    for path in paths:
        module = module_of(path)
        results: dict[str, int | None] = _mutmut_results(path)
        results |= {k: v["exit_code"] for k, v in declarations.items() if v["path"] == path}
        killed = sum(1 for code in results.values() if code in KILLED)
        equivalent, survivors = 0, []
        for name, code in sorted(results.items()):
            if code in KILLED:
                continue
            entry = listed.get(name)
            if entry is None:
                survivors.append(name)
            elif entry["line"] != mutant_change(name):
                print(f"  STALE {name}: the mutant now changes {mutant_change(name)!r}")
                failed = True
            else:
                equivalent += 1
        for name in sorted(listed):
            if name.startswith(module + ".") and results.get(name) in KILLED:
                print(f"  STALE {name}: listed as equivalent but killed")
                failed = True
            elif name.startswith(module + ".") and name not in results:
                print(f"  STALE {name}: listed as equivalent, no such mutant")
                failed = True
        counted = len(results) - equivalent
        score = 100.0 * killed / counted if counted else 100.0
        failed |= score < THRESHOLD or not results
        print(f"{module:<34} {killed:>6} {equivalent:>5} {len(survivors):>5} {score:>6.1f}%")
        for name in survivors:
            code = results[name]
            status = "not run" if code is None else "timeout" if code in TIMEOUT else f"exit {code}"
            print(f"    {name} ({status}): {mutant_change(name)}")
    return 1 if failed else 0


def main() -> int:
    """The command line (see the module's docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", metavar="SET", help=", ".join(SETS))
    parser.add_argument("--report", action="store_true", help="report only, run nothing")
    parser.add_argument("--show", metavar="ID", help="print the change a mutant makes")
    parser.add_argument(
        "--recheck", action="store_true", help="run the mutants listed as equivalent too"
    )
    parser.add_argument("--phase", choices=["functions", "declarations"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("HYPOTHESIS_PROFILE", "mutation")  # tests/conftest.py: no shrinking
    if args.recheck:
        os.environ[RECHECK] = "1"  # for the phases, run in processes of their own
    if args.show:
        print(mutant_change(args.show))
        return 0
    paths = []
    for name in args.sets or list(SETS):
        every = [p for ps in SETS.values() for p in ps]
        found = SETS.get(name) or [p for p in every if module_of(p).endswith(name)]
        if not found:
            parser.error(f"{name!r} is neither a set ({', '.join(SETS)}) nor a core module")
        paths += [p for p in found if p not in paths]
    sets = [module_of(p) for p in paths]
    if args.phase == "functions":
        run_mutmut(paths)
        return 0
    if args.phase == "declarations":
        for s, tests in DECLARATION_TESTS.items():
            if [p for p in SETS[s] if p in paths]:
                run_declarations([p for p in SETS[s] if p in paths], tests)
        return 0
    if not args.report:
        sys.path.insert(0, str(ROOT / "tests"))
        from pg_server import postgres_server  # noqa: PLC0415 -- one server for every mutant

        with postgres_server() as url:
            env = {**os.environ, "KELOMPOK_TEST_POSTGRES_URL": url}
            for phase in ("functions", "declarations"):
                began = time.monotonic()
                subprocess.run(  # noqa: S603 -- this script, in a process of its own
                    [sys.executable, __file__, "--phase", phase, *sets],
                    check=True,
                    env=env,
                    cwd=ROOT,
                )
                print(f"{phase}: {time.monotonic() - began:.0f} s")
    return report(paths)


if __name__ == "__main__":
    sys.exit(main())
