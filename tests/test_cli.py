"""The ``kelompok`` command: the demo, generated docs, and errors that say what to do."""

from __future__ import annotations

import pytest

from kelompok.__main__ import main


def test_demo_walks_both_types_and_shows_a_refusal(capsys: pytest.CaptureFixture[str]) -> None:
    assert 0 == main([])
    out = capsys.readouterr().out
    assert "-> collaborating -> dissolved" in out
    assert "-> executing -> collaborating" in out
    assert "en: " in out
    assert "id: " in out
    assert "loaded back equal: True" in out


def test_docs_prints_diagram_and_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert 0 == main(["docs", "volunteer", "--lang", "id"])
    out = capsys.readouterr().out
    assert out.startswith("```mermaid\nstateDiagram-v2")
    assert "| Kejadian | Label | Dari -> ke | Persyaratan |" in out


@pytest.mark.parametrize(("lang", "head"), [("id-ID", "Kejadian"), ("xx", "Event")])
def test_docs_take_any_language_tag(
    capsys: pytest.CaptureFixture[str], lang: str, head: str
) -> None:
    assert 0 == main(["docs", "professional", "--lang", lang])
    assert f"| {head} | Label |" in capsys.readouterr().out


def test_an_unknown_type_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert 2 == main(["docs", "chess"])
    err = capsys.readouterr().err
    assert "No group type named 'chess'" in err
    assert "kelompok.register" in err
