"""The ``kelompok`` command: every command, its exit statuses, and errors that say what to do."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from kelompok.__main__ import main


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh store, named the way a user names it: ``$KELOMPOK_DB``."""
    path = str(tmp_path / "cli.db")
    monkeypatch.setenv("KELOMPOK_DB", path)
    monkeypatch.setenv("COLUMNS", "200")  # Rich tables unwrapped, so words stay whole
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def as_json(capsys: pytest.CaptureFixture[str], *args: str) -> object:
    status, out, err = run(capsys, *args, "--json")
    assert 0 == status, err
    return json.loads(out)


# -- without a store ------------------------------------------------------------------------


def test_demo_walks_both_types_and_shows_a_refusal(capsys):
    for args in ([], ["demo"]):
        status, out, _ = run(capsys, *args)
        assert 0 == status
        assert "-> collaborating -> dissolved" in out
        assert "-> executing -> collaborating" in out
        assert "en: " in out
        assert "id: " in out
        assert "loaded back equal: True" in out


def test_docs_prints_diagram_and_table(capsys):
    status, out, _ = run(capsys, "docs", "volunteer", "--lang", "id")
    assert 0 == status
    assert out.startswith("```mermaid\nstateDiagram-v2")
    assert "| Kejadian | Label | Dari -> ke | Persyaratan |" in out


@pytest.mark.parametrize(("lang", "head"), [("id-ID", "Kejadian"), ("xx", "Event")])
def test_docs_take_any_language_tag(capsys, lang, head):
    assert 0 == main(["docs", "professional", "--lang", lang])
    assert f"| {head} | Label |" in capsys.readouterr().out


def test_an_unknown_type_is_a_clear_error(capsys):
    status, out, err = run(capsys, "show", "chess")
    assert (2, "") == (status, out)
    assert "No group type named 'chess'" in err
    assert "kelompok.register" in err
    assert "Traceback" not in err


def test_types_and_show_list_what_a_type_defines(capsys):
    found = as_json(capsys, "types")
    names = [t["name"] for t in found]
    assert {"professional", "volunteer"} <= set(names)  # others may be registered by now
    assert sorted(names) == names
    shape = as_json(capsys, "show", "volunteer", "--lang", "id")
    assert "Kesadaran kolektif" == shape["stages"][0]["label"]
    execute = next(e for e in shape["events"] if e["name"] == "execute")
    assert {"programmed": "executing"} == execute["moves"]
    assert execute["requirements"][0]["message"]  # in Indonesian
    status, out, _ = run(capsys, "show", "professional")
    assert 0 == status
    assert "open_recruitment" in out
    assert "charter.missing" in out


def test_verify_reports_a_users_type_and_its_counterexample(capsys, tmp_path, monkeypatch):
    (tmp_path / "shortcut_types.py").write_text(
        "import kelompok\n"
        "JUMP = kelompok.Event(\n"
        "    'jump', {'en': 'Jump', 'id': 'Lompat'}, moves={'awareness': 'structured'}\n"
        ")\n"
        "SHORTCUT = kelompok.PROFESSIONAL.derive(\n"
        "    'shortcut', {'en': 'Shortcut', 'id': 'Pintas'}, kelompok.add_event(JUMP)\n"
        ")\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    report = run(capsys, "verify", "shortcut_types:SHORTCUT", "--json")
    assert 1 == report[0]
    problems = json.loads(report[1])["problems"]
    assert {"order"} == {p["kind"] for p in problems}
    assert ["jump"] == problems[0]["path"]
    assert 0 == run(capsys, "verify", "kelompok:PROFESSIONAL")[0]
    for target, said in (
        ("no_colon", "MODULE:ATTR"),
        ("no_such_module:X", "cannot import"),
        ("kelompok:Member", "not a kelompok GroupType"),
    ):
        status, _, err = run(capsys, "verify", target)
        assert 2 == status
        assert said in err


# -- against a store -----------------------------------------------------------------------


def test_a_group_from_new_to_recruiting(capsys, db):
    group = as_json(capsys, "new", "professional", "Ikatan Apoteker", "--field",
                    "profession=pharmacist", "--id", "g1")  # fmt: skip
    assert ("g1", "awareness", 0) == (group["id"], group["stage"], group["version"])
    founders = json.dumps(
        {
            "founders": [
                {"id": "ani", "name": "Ani", "profession": "pharmacist"},
                {"id": "bayu", "name": "Bayu", "profession": "pharmacist"},
            ]
        }
    )
    steps = [
        ("identify_needs", '{"needs": ["continuing education"]}'),
        ("form_core_group", founders),
        ("adopt_charter", '{"vision": "V", "mission": "M", "goals": ["g"], "steps": ["s"]}'),
        ("open_recruitment", None),
    ]
    for event, data in steps:
        args = ["fire", "g1", event, "--actor", "ani"] + (["--data", data] if data else [])
        status, _, err = run(capsys, *args)
        assert 0 == status, err
    shown = as_json(capsys, "status", "g1", "--lang", "id")
    assert ("recruiting", 4) == (shown["stage"], shown["version"])
    assert "Rekrutmen anggota" == shown["stage_label"]
    status, out, _ = run(capsys, "status", "g1")
    assert 0 == status
    assert "admit" in out
    assert "next steps" in out


def test_a_refusal_exits_1_with_its_reasons_in_the_language_asked(capsys, db):
    main(["new", "professional", "A", "--field", "profession=nurse", "--id", "g"])
    capsys.readouterr()
    status, _, err = run(capsys, "fire", "g", "open_recruitment", "--lang", "id")
    assert 1 == status
    assert "stage.not_allowed" in err
    assert "tidak diperbolehkan" in err
    refused = run(capsys, "fire", "g", "open_recruitment", "--json")
    assert 1 == refused[0]
    assert "stage.not_allowed" == json.loads(refused[1])["reasons"][0]["code"]


def test_the_commands_own_words_and_errors_are_in_the_language_asked(capsys, db, monkeypatch):
    status, _, err = run(capsys, "new", "professional", "A", "--lang", "id")
    assert 2 == status
    assert err.startswith("kelompok: tidak dapat membuat kelompok professional;")
    assert "isian ini wajib diisi" in err
    assert "reason.message" not in err  # a hint for Python code, not for the command
    main(["new", "volunteer", "Relawan", "--id", "v"])
    capsys.readouterr()
    refused = run(capsys, "fire", "v", "open_recruitment", "--lang", "id")[2]
    assert refused.startswith("ditolak: open_recruitment pada tahap awareness")
    missing = run(capsys, "status", "nope", "--lang", "id")[2]
    assert "tidak ada kelompok tersimpan dengan id 'nope'" in missing
    shown = run(capsys, "status", "v", "--lang", "id")[1]
    for word in ("tahap: awareness", "langkah berikutnya", "masih perlu", "siap"):
        assert word in shown
    assert "jenis" in run(capsys, "list", "--lang", "id")[1]
    stages = run(capsys, "list", "--stage", "nope", "--lang", "id")
    assert (2, "kelompok: 'nope' bukan tahap jenis kelompok mana pun") == (
        stages[0],
        stages[2].strip(),
    )
    missing_file = run(capsys, "list", "--db", str(Path(db).with_name("typo.db")), "--lang", "id")
    assert "berkas itu tidak ada" in missing_file[2]
    monkeypatch.setenv("KELOMPOK_LANG", "id")
    assert "tidak ada kelompok tersimpan" in run(capsys, "status", "nope")[2]


def test_data_from_a_file_or_standard_input(capsys, db, tmp_path, monkeypatch):
    main(["new", "volunteer", "Relawan", "--id", "v"])
    payload = tmp_path / "needs.json"
    payload.write_text('{"needs": ["dirty river"], "work_area": "environmental"}')
    assert 0 == run(capsys, "fire", "v", "identify_needs", "--data", f"@{payload}")[0]
    monkeypatch.setattr(sys, "stdin", io.StringIO(payload.read_text()))
    assert 1 == run(capsys, "fire", "v", "identify_needs", "--data", "@-")[0]  # not twice


def test_a_repeated_key_applies_once_and_a_stale_version_is_refused(capsys, db):
    main(["new", "volunteer", "Relawan", "--id", "v"])
    capsys.readouterr()
    data = ["--data", '{"needs": ["x"], "work_area": "environmental"}']
    first = as_json(capsys, "fire", "v", "identify_needs", *data, "--key", "k1")
    again = as_json(capsys, "fire", "v", "identify_needs", *data, "--key", "k1")
    assert 1 == first["version"] == again["version"]
    status, _, err = run(
        capsys, "fire", "v", "dissolve", "--data", '{"reason": "r"}', "--expect", "0"
    )
    assert 2 == status
    assert "version 1, not 0" in err


def test_history_and_list_page(capsys, db):
    for name in ("a", "b", "c"):
        main(["new", "volunteer", f"Group {name}", "--id", name])
    main(["fire", "a", "identify_needs", "--data", '{"needs": ["x"], "work_area": "social"}'])
    main(["fire", "a", "dissolve", "--data", '{"reason": "done"}'])
    capsys.readouterr()
    _, out, err = run(capsys, "list", "--limit", "2", "--json")
    assert ["a", "b"] == [g["id"] for g in json.loads(out)]
    assert "--after b" in err
    assert ["c"] == [g["id"] for g in as_json(capsys, "list", "--after", "b")]
    assert ["a"] == [g["id"] for g in as_json(capsys, "list", "--stage", "dissolved")]
    _, out, err = run(capsys, "history", "a", "--limit", "1", "--json")
    assert [(1, "identify_needs")] == [(r["version"], r["event"]) for r in json.loads(out)]
    assert "kelompok history a --after 1" in err
    assert ["dissolve"] == [r["event"] for r in as_json(capsys, "history", "a", "--after", "1")]


def test_the_diagram_highlights_a_stored_groups_stage(capsys, db):
    main(["new", "volunteer", "Relawan", "--id", "v"])
    capsys.readouterr()
    shown = as_json(capsys, "diagram", "volunteer", "--group", "v")
    assert "awareness" == shown["current"]
    assert shown["mermaid"] != as_json(capsys, "diagram", "volunteer")["mermaid"]
    status, _, err = run(capsys, "diagram", "professional", "--group", "v")
    assert 2 == status
    assert "is a 'volunteer' group" in err


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["fire", "nobody", "dissolve"], "no stored group has the id 'nobody'"),
        (["fire", "v", "launch"], "has no event 'launch'"),
        (["fire", "v", "dissolve", "--data", "{bad"], "not valid JSON"),
        (["fire", "v", "dissolve", "--data", "[1]"], "must be a JSON object"),
        (["fire", "v", "dissolve", "--data", "@/no/such/file"], "cannot read"),
        (["new", "volunteer", "X", "--field", "nonsense"], "NAME=VALUE"),
        (["new", "volunteer", "X", "--field", "colour=red"], ""),
        (["history", "v", "--after", "x"], ""),
        (["fire", "v", "--bogus"], ""),
        (["list", "--type", "chess"], "chess"),
        (["list", "--stage", "nonsense"], "'nonsense' is not a stage of any group type"),
        (["list", "--type", "volunteer", "--stage", "evaluating"], "not a stage of a 'volunteer'"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_no_traceback(capsys, db, args, said):
    main(["new", "volunteer", "Relawan", "--id", "v"])
    capsys.readouterr()
    status, _, err = run(capsys, *args)
    assert 2 == status
    assert said in err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", [["list"], ["status", "g"], ["history", "g"]])
@pytest.mark.parametrize("options", ["", "?timeout=5"])
def test_a_command_that_reads_makes_no_database_where_there_is_none(capsys, db, command, options):
    status, _, err = run(capsys, *command, "--db", f"sqlite:///{db}{options}")
    assert 2 == status
    assert "there is no such file" in err
    assert not Path(db).exists()


@pytest.mark.parametrize("where", ["missing/groups.db", ".", "notes.txt"])
def test_a_database_that_cannot_be_opened_is_one_line_not_a_traceback(
    capsys, tmp_path, monkeypatch, where
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("not a database\n" * 200)
    status, _, err = run(capsys, "list", "--db", where)
    assert 2 == status
    assert "cannot open the database" in err
    assert 1 == len(err.strip().splitlines())


def test_without_the_cli_extra_the_demo_runs_and_the_rest_says_what_to_install(capsys, monkeypatch):
    for name in [m for m in sys.modules if m == "typer" or m.startswith("kelompok.cli")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "typer", None)  # import typer: ImportError
    status, out, _ = run(capsys)
    assert 0 == status
    assert "loaded back equal: True" in out
    status, _, err = run(capsys, "types")
    assert 2 == status
    assert 'pip install "kelompok[cli]"' in err
