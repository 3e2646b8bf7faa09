"""The examples run (and check their own results), so they cannot rot."""

import pathlib
import runpy

import pytest

EXAMPLES = sorted((pathlib.Path(__file__).parent.parent / "examples").glob("*.py"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example(path, capsys):
    runpy.run_path(str(path), run_name="__main__")
    assert "bit-equal to numpy" in capsys.readouterr().out


def test_both_examples_found():
    assert {p.name for p in EXAMPLES} >= {"velocity.py", "edges.py"}
