"""What an event's checks say, word for word: refusals, usage errors, bugs of a type.

Mutants of ``_runtime/checks.py`` that change a message, or the count of the problems
that are not listed, got past the rest of the suite: these pin the texts a caller reads
(docs/model.md §3.4: a refusal explains itself; a bug of the type names its culprit).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs
import pytest

import builders
import kelompok
from kelompok import PROFESSIONAL, Event, GroupType, Invariant, Requirement, Stage
from kelompok._base import entries as base_entries
from kelompok._base.scalars import MAX_PROBLEMS
from kelompok._runtime import checks, engine


@attrs.frozen
class Named:
    name: str


def _two_stage_type(
    name: str,
    *,
    requires: Sequence[Requirement] = (),
    effect: Any = None,
    invariants: Sequence[Invariant] = (),
) -> GroupType[kelompok.Group]:
    """A type of stages 'a' and 'b', 'go' from one to the other (and 'back')."""
    return GroupType(
        name=name,
        label={"en": name, "id": name},
        stages=[Stage("a", {"en": "A", "id": "A"}), Stage("b", {"en": "B", "id": "B"})],
        events=[
            Event(
                "go",
                {"en": "Go", "id": "Pergi"},
                moves={"a": "b"},
                requires=requires,
                effect=effect,
            ),
            Event("back", {"en": "Back", "id": "Kembali"}, moves={"b": "a"}, back=True),
        ],
        data=Named,
        founding=Named,
        initial_data=lambda args: args,
        group_class=kelompok.Group,
        invariants=invariants,
    )


def _bug_of_go(group_type: GroupType[kelompok.Group]) -> kelompok.DefinitionBug:
    group = group_type.create(name="F")
    before = group.to_dict()
    with pytest.raises(kelompok.DefinitionBug) as info:
        group.fire("go")
    assert before == group.to_dict()
    return info.value


def _said(what: str) -> str:
    return (
        f"Bug in the group type, found while applying event 'go': {what}. "
        "The group is unchanged; fix the type's code."
    )


def _text(en: str) -> dict[str, str]:
    return {"en": en, "id": f"{en} (id)"}


# -- the stage ---------------------------------------------------------------------------


def test_an_event_of_another_stage_says_where_it_is_allowed_and_what_is_allowed_now():
    [reason] = builders.new(PROFESSIONAL).why_not("adopt_charter", **builders.CHARTER)
    assert ("stage.not_allowed", None, ()) == (reason.code, reason.field, reason.fixed_by)
    assert (
        "'adopt_charter' (Adopt vision, mission, goals and steps) is not allowed in stage "
        "'awareness' (Collective awareness); it is allowed in: 'core_formed' (Initial group "
        "formed), 'recruiting' (Member recruitment), 'structured' (Organisational structure "
        "formed), 'programmed' (Programs and activities formed), 'evaluating' (Evaluation and "
        "development), 'collaborating' (Collaboration with other professional groups). Allowed "
        "now: 'identify_needs' (Identify needs), 'dissolve' (Dissolve the group)."
        == reason.message("en")
    )
    assert (
        "'adopt_charter' (Menyusun visi, misi, tujuan, dan langkah-langkah) tidak diperbolehkan "
        "pada tahap 'awareness' (Kesadaran kolektif); hanya pada: 'core_formed' (Pembentukan "
        "kelompok awal), 'recruiting' (Rekrutmen anggota), 'structured' (Pembentukan struktur "
        "organisasi), 'programmed' (Pembentukan program dan kegiatan), 'evaluating' (Evaluasi "
        "dan pengembangan), 'collaborating' (Kolaborasi dengan kelompok profesi lain). Yang "
        "diperbolehkan sekarang: 'identify_needs' (Mengidentifikasi kebutuhan), 'dissolve' "
        "(Membubarkan kelompok)." == reason.message("id")
    )


def test_an_event_of_a_dissolved_group_says_no_event_is_allowed_any_more():
    group = builders.at(PROFESSIONAL, "structured")
    group.fire("dissolve", reason="mission accomplished")
    [reason] = [r for r in group.why_not("admit") if r.code == "stage.not_allowed"]
    assert "The group is dissolved ('dissolved'): no event is allowed any more." == str(reason)
    assert (
        "Kelompok sudah dibubarkan ('dissolved'): tidak ada tindakan yang diperbolehkan lagi."
        == reason.message("id")
    )


# -- a payload given to an event that takes none -------------------------------------------


def test_each_field_given_to_an_event_without_payload_is_named():
    group = builders.at(PROFESSIONAL, "core_formed")
    [reason] = group.why_not("open_recruitment", x=1)
    assert ("payload.unknown_field", "x") == (reason.code, reason.field)
    assert "x: unknown field; this event takes no payload" == reason.message("en")
    assert "x: isian tidak dikenal; kejadian ini tidak memerlukan isian" == reason.message("id")


@pytest.mark.parametrize("extra", [0, 1, 5])
def test_fields_given_to_an_event_without_payload_are_listed_up_to_the_cap(extra):
    """The first ``MAX_PROBLEMS`` fields are named; one last reason counts the others."""
    group = builders.at(PROFESSIONAL, "core_formed")
    fields = {f"k{i}": i for i in range(MAX_PROBLEMS + extra)}
    reasons = group.why_not("open_recruitment", **fields)
    named = [r.field for r in reasons if r.code == "payload.unknown_field"]
    assert [f"k{i}" for i in range(MAX_PROBLEMS)] == named
    rest = [str(r) for r in reasons if r.code != "payload.unknown_field"]
    if extra:
        counted = f"and {extra} more problems (only the first {MAX_PROBLEMS} are listed)"
        assert [counted] == rest
        assert ["payload.more_problems"] == [r.code for r in reasons[MAX_PROBLEMS:]]
    else:
        assert [] == rest


# -- how the payload is given --------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "described"), [(5, "int 5"), (["needs"], "list of 1 items")], ids=["int", "list"]
)
def test_a_payload_that_is_not_a_mapping_is_a_usage_error(payload, described):
    group = builders.new(PROFESSIONAL)
    with pytest.raises(kelompok.UsageError) as info:
        group.fire("identify_needs", payload)
    assert f"the payload must be a mapping of its fields, got {described}" == str(info.value)
    assert "awareness" == group.stage


class _Unreadable(Mapping[str, Any]):
    """A mapping whose keys cannot be listed."""

    def __getitem__(self, key: str) -> Any:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        raise RuntimeError("no keys today")

    def __len__(self) -> int:
        return 1


def test_a_payload_mapping_that_cannot_be_read_is_a_usage_error():
    group = builders.new(PROFESSIONAL)
    with pytest.raises(kelompok.UsageError) as info:
        group.fire("identify_needs", _Unreadable())
    assert str(info.value).startswith("the payload mapping could not be read: ")
    assert "no keys today" in str(info.value)
    assert "awareness" == group.stage


def test_fields_given_both_in_the_mapping_and_as_keywords_are_each_named():
    group = builders.new(PROFESSIONAL)
    with pytest.raises(kelompok.UsageError) as info:
        group.fire("identify_needs", {"needs": ["a"], "extra": 1}, needs=["b"], extra=2)
    assert "payload field(s) given twice, in the mapping and as keywords: needs, extra" == str(
        info.value
    )
    assert "awareness" == group.stage


# -- a type's own code misbehaving ------------------------------------------------------


def test_a_requirement_answering_a_non_bool_is_a_bug_named_with_what_it_returned():
    t = _two_stage_type(
        "answers_one", requires=[Requirement("r.one", _text("One."), lambda g, p: 1)]
    )
    bug = _bug_of_go(t)
    assert ("go", "requirement 'r.one'", []) == (bug.event, bug.culprit, bug.reasons)
    assert _said("requirement 'r.one' returned int 1, not True or False") == str(bug)


def test_a_requirement_that_raises_is_a_bug_named_with_the_exception():
    t = _two_stage_type(
        "raises_zero", requires=[Requirement("r.boom", _text("Boom."), lambda g, p: 1 / 0)]
    )
    bug = _bug_of_go(t)
    assert isinstance(bug.__cause__, ZeroDivisionError)
    assert _said("requirement 'r.boom' raised ZeroDivisionError: division by zero") == str(bug)


def test_an_effect_returning_other_data_is_a_bug_naming_the_data_class():
    bug = _bug_of_go(_two_stage_type("returns_text", effect=lambda g, p: "data"))
    assert ("go", "the effect of 'go'") == (bug.event, bug.culprit)
    assert _said("the effect of 'go' returned str 'data', not a Named") == str(bug)


def test_an_invariant_answering_a_non_bool_after_an_effect_is_a_bug():
    holds_at_creation = Invariant("i.none", _text("None."), lambda g: g.data.name == "F" or None)
    t = _two_stage_type(
        "answers_none", effect=lambda g, p: Named("G"), invariants=[holds_at_creation]
    )
    bug = _bug_of_go(t)
    assert "invariant 'i.none'" == bug.culprit
    assert _said("invariant 'i.none' answered NoneType None, not True or False") == str(bug)


def test_an_invariant_that_raises_after_an_effect_is_a_bug():
    holds_at_creation = Invariant("i.boom", _text("Boom."), lambda g: g.data.name == "F" or {}[1])
    t = _two_stage_type(
        "raises_key", effect=lambda g, p: Named("G"), invariants=[holds_at_creation]
    )
    bug = _bug_of_go(t)
    assert isinstance(bug.__cause__, KeyError)
    assert _said("invariant 'i.boom' raised KeyError: 1") == str(bug)


@pytest.mark.parametrize("when", ["create", "load"])
def test_an_invariant_that_raises_on_create_or_load_names_that_moment(when):
    boom = Invariant("i.boom", _text("Boom."), lambda g: g.data.name != "boom" or {}[1])
    t = _two_stage_type(f"raises_at_{when}", invariants=[boom])
    document = {**t.create(name="F").to_dict(), "data": {"name": "boom"}}
    moment = {"create": lambda: t.create(name="boom"), "load": lambda: t.load(document)}[when]
    with pytest.raises(kelompok.DefinitionBug) as info:
        moment()
    assert (when, "invariant 'i.boom'") == (info.value.event, info.value.culprit)
    assert str(info.value).startswith(
        f"Bug in the group type, found while applying event {when!r}: "
        "invariant 'i.boom' raised KeyError: 1."
    )


def test_broken_invariants_after_an_effect_are_each_named():
    named_f = [
        Invariant("i.one", _text("One."), lambda g: g.data.name == "F"),
        Invariant("i.two", _text("Two."), lambda g: g.data.name == "F"),
    ]
    one = _bug_of_go(
        _two_stage_type("breaks_one", effect=lambda g, p: Named("G"), invariants=named_f[:1])
    )
    assert "invariant 'i.one'" == one.culprit
    assert ["i.one"] == [r.code for r in one.reasons]
    assert str(one).startswith(_said("invariant 'i.one' does not hold after the effect of 'go'"))
    two = _bug_of_go(
        _two_stage_type("breaks_two", effect=lambda g, p: Named("G"), invariants=named_f)
    )
    assert "invariants 'i.one', 'i.two'" == two.culprit
    assert ["i.one", "i.two"] == [r.code for r in two.reasons]
    assert str(two).startswith(
        _said("invariants 'i.one', 'i.two' do not hold after the effect of 'go'")
    )


def test_an_invariant_answering_a_number_is_a_bug_that_says_what_it_answered():
    holds_at_creation = Invariant("i.one", _text("One."), lambda g: g.data.name == "F" or 1)
    t = _two_stage_type(
        "answers_one_i", effect=lambda g, p: Named("G"), invariants=[holds_at_creation]
    )
    bug = _bug_of_go(t)
    assert _said("invariant 'i.one' answered int 1, not True or False") == str(bug)


def _raise_bare(group: Any) -> bool:
    if group.data.name == "F":
        return True
    raise ValueError


def test_an_invariant_raising_an_exception_without_text_is_named_by_its_type_alone():
    t = _two_stage_type(
        "raises_bare",
        effect=lambda g, p: Named("G"),
        invariants=[Invariant("i.bare", _text("Bare."), _raise_bare)],
    )
    assert _said("invariant 'i.bare' raised ValueError") == str(_bug_of_go(t))


class _OwnGroup(kelompok.Group):
    pass


@pytest.mark.parametrize("cls", [kelompok.Group, _OwnGroup])
def test_a_group_is_not_made_by_its_class_and_the_error_says_how(cls):
    with pytest.raises(kelompok.UsageError) as info:
        cls()
    assert str(info.value) == (
        f"{cls.__name__} is not created directly: use group_type.create(...) for a new group "
        "or kelompok.load(document) for a stored one."
    )


def test_status_is_in_english_unless_asked_otherwise():
    group = builders.new(PROFESSIONAL)
    assert group.status() == group.status("en")
    assert group.status()["stage_label"] != group.status("id")["stage_label"]


def test_an_effect_storing_a_value_that_misfits_its_field_is_a_bug_naming_the_field():
    bug = _bug_of_go(_two_stage_type("stores_none", effect=lambda g, p: Named(None)))
    assert ("go", "the effect of 'go'") == (bug.event, bug.culprit)
    assert _said(
        "the effect of 'go' stored values that do not fit their fields: name (None in a "
        "text, a list where a tuple belongs, a number out of range, at any depth?)"
    ) == str(bug)


@attrs.frozen
class _Pair:
    name: str
    motto: str = "-"


def test_each_field_an_effect_misfits_is_named():
    gt = GroupType(
        name="stores_two_nones",
        label={"en": "Two", "id": "Dua"},
        stages=[Stage("a", {"en": "A", "id": "A"}), Stage("b", {"en": "B", "id": "B"})],
        events=[
            Event("go", _text("Go"), moves={"a": "b"}, effect=lambda g, p: _Pair(None, None)),
            Event("back", _text("Back"), moves={"b": "a"}, back=True),
        ],
        data=_Pair,
        founding=Named,
        initial_data=lambda args: _Pair(args.name),
        group_class=kelompok.Group,
    )
    assert _said(
        "the effect of 'go' stored values that do not fit their fields: name, motto (None in "
        "a text, a list where a tuple belongs, a number out of range, at any depth?)"
    ) == str(_bug_of_go(gt))


def test_the_entries_an_event_changed_are_worked_out_once_for_every_check(monkeypatch):
    # the exactness check of what the effect stored and the invariants' entry checks share
    # one diff of the collection the event changed, and no other collection is diffed
    diffs: list[tuple[int, int]] = []

    def counted(old: Any, new: Any) -> Any:
        diffs.append((len(old), len(new)))
        return base_entries.changed_entries(old, new)

    group = builders.at(PROFESSIONAL, "recruiting")
    members = len(group.data.members)
    monkeypatch.setattr(engine, "changed_entries", counted)
    monkeypatch.setattr(checks, "changed_entries", counted)
    group.fire("admit", **builders.payloads(PROFESSIONAL)["admit"])
    assert [(members, members + 1)] == diffs
