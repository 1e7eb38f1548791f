"""`python -m srcgrad rules` and docs/rules.md come from the registry."""

import subprocess
import sys
from pathlib import Path

from srcgrad.listing import rules_markdown
from srcgrad.rules import default_rules

ROOT = Path(__file__).resolve().parent.parent


def test_docs_rules_page_is_current():
    page = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert page == rules_markdown(), (
        "docs/rules.md is out of date: python -m srcgrad rules --markdown > docs/rules.md")


def test_rules_command_lists_every_primitive():
    result = subprocess.run([sys.executable, "-m", "srcgrad", "rules"], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert listed == default_rules().names()
    assert "numpy.tanh" in listed and "math.exp" in listed and "operator.matmul" in listed
    tanh = next(line for line in result.stdout.splitlines() if line.startswith("numpy.tanh "))
    assert "gradient for x" in tanh
    argmax = next(line for line in result.stdout.splitlines()
                  if line.startswith("numpy.argmax "))
    assert "no gradient" in argmax


def test_rules_command_without_a_command_is_a_usage_error():
    result = subprocess.run([sys.executable, "-m", "srcgrad"], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 2
    assert "usage:" in result.stderr and "rules" in result.stderr
    assert result.stdout == ""
