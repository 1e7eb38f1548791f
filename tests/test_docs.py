"""The documentation's code runs, and the README's set-up commands are the CI's.

Convention: every fenced block whose info string is exactly ``python`` is run.
A block that must not run (generated code, fragments, output) is fenced as
```` ```python norun ```` (GitHub still highlights it as Python) or uses
another language (``text``, ``sh``).

Each runnable block is written to its own module file in a temporary
directory and imported, so ``inspect.getsource`` (which srcgrad needs) works
on the functions it defines.  Blocks are independent of each other.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

SETUP_COMMANDS = [
    "python -m pip install . && python examples/fit_ode.py",
    'python -m pip install -e ".[test]" && python -m pytest',
]

_FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.S | re.M)


def _blocks(path):
    """(line number, info string, code) of each fenced block in ``path``."""
    text = path.read_text(encoding="utf-8")
    for m in _FENCE.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        yield line, m.group(1).strip(), m.group(2)


def _runnable():
    cases = []
    for path in DOCS:
        for line, info, code in _blocks(path):
            if info == "python":
                cases.append(pytest.param(path, line, code,
                                          id=f"{path.relative_to(ROOT)}:{line}"))
    return cases


def test_docs_exist():
    for name in ("language.md", "generated-code.md", "api.md", "how-it-works.md"):
        assert (ROOT / "docs" / name).is_file(), name
    assert _runnable(), "no runnable python blocks found"


@pytest.mark.parametrize("path,line,code", _runnable())
def test_doc_block_runs(path, line, code, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SRCGRAD_CACHE_DIR", str(tmp_path / "cache"))
    modname = f"doc_block_{path.stem.replace('-', '_')}_{line}"
    src = tmp_path / f"{modname}.py"
    src.write_text(code, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(modname, src)
    module = importlib.util.module_from_spec(spec)
    sys.modules[modname] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        pytest.fail(f"{path.name}:{line}: the code block raised {type(exc).__name__}: {exc}")
    finally:
        sys.modules.pop(modname, None)


def test_readme_has_setup_commands_verbatim():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in SETUP_COMMANDS:
        assert f"```sh\n{command}\n```" in readme, command


def test_ci_script_exists():
    ci = ROOT / ".ci" / "run"
    assert ci.is_file()
    text = ci.read_text(encoding="utf-8")
    assert "examples/fit_ode.py" in text and "pytest" in text
