"""Golden-file tests: the generated gradient source of tests/golden/functions.py.

``srcgrad.source(f, wrt=...)`` for every case in ``golden.functions.CASES`` must
equal ``tests/golden/expected/<name>.py.txt`` byte for byte.  After an intended
change to the generated code, review the diff and rewrite the expected files with

    SRCGRAD_UPDATE_GOLDEN=1 pytest tests/test_golden.py

(update mode also deletes expected files that no case produces any more).

Besides the exact comparison:

* every expected file compiles, and the module it holds, imported from a temp
  file, computes the value of ``f`` and the gradient ``srcgrad.grad`` computes
  (and finite differences agree);
* ``ruff check``, with the project's rule selection, passes on the generated
  sources;
* generation is deterministic, within a process and across processes.
"""

from __future__ import annotations

import ast
import difflib
import importlib.util
import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import gradcheck
import numpy as np
import pytest
from golden.functions import CASES, CASES_BY_NAME

import srcgrad

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest itself depends on tomli there
    import tomli as tomllib

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
EXPECTED_DIR = TESTS_DIR / "golden" / "expected"
SUFFIX = ".py.txt"
UPDATE = os.environ.get("SRCGRAD_UPDATE_GOLDEN", "") not in ("", "0")
UPDATE_HINT = "SRCGRAD_UPDATE_GOLDEN=1 pytest tests/test_golden.py"

NAMES = [case.name for case in CASES]

# Generated gradient vs srcgrad.grad (same arithmetic, modulo scalar
# specialisation) and vs central finite differences.
GRAD_TOL = dict(rtol=1e-10, atol=1e-12)
FD_TOL = dict(rtol=1e-5, atol=1e-7)


def _expected_path(name):
    return EXPECTED_DIR / f"{name}{SUFFIX}"


def _generate(name):
    case = CASES_BY_NAME[name]
    return srcgrad.source(case.fn, wrt=case.wrt)


def _args(name):
    return CASES_BY_NAME[name].args(np.random.default_rng(zlib.crc32(name.encode())))


def _read_expected(name):
    path = _expected_path(name)
    if not path.exists():
        pytest.fail(f"{path.relative_to(REPO_ROOT)} is missing; create it with {UPDATE_HINT}")
    return path.read_text(encoding="utf-8")


# --------------------------------------------------------------------------
# exact comparison with the expected files
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_golden_source(name):
    actual = _generate(name)
    path = _expected_path(name)
    if UPDATE:
        EXPECTED_DIR.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != actual:
            path.write_text(actual, encoding="utf-8")
        return
    expected = _read_expected(name)
    if actual != expected:
        rel = str(path.relative_to(REPO_ROOT))
        diff = "".join(difflib.unified_diff(
            expected.splitlines(keepends=True), actual.splitlines(keepends=True),
            fromfile=f"{rel} (expected)", tofile=f"srcgrad.source({name}) (actual)"))
        pytest.fail(
            f"generated source for {name} differs from {rel}.\n"
            f"If the change is intended, review it and update the expected files with\n"
            f"    {UPDATE_HINT}\n\n{diff}",
            pytrace=False,
        )


def test_no_stale_expected_files():
    stale = sorted(p for p in EXPECTED_DIR.glob(f"*{SUFFIX}")
                   if p.name[: -len(SUFFIX)] not in CASES_BY_NAME)
    if UPDATE:
        for p in stale:
            p.unlink()
        return
    assert not stale, (
        f"expected files without a golden case: {[p.name for p in stale]}; "
        f"delete them or run {UPDATE_HINT}")


# --------------------------------------------------------------------------
# the expected files are working code
# --------------------------------------------------------------------------


def _import_from_file(path, module_name):
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _entry_name(text):
    """The generated module's entry point: its first top-level function."""
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef):
            return node.name
    raise AssertionError("the generated module defines no function")


@pytest.mark.parametrize("name", NAMES)
def test_entry_point_is_named_f_vjp(name):
    # srcgrad documents the entry point as ``<f>_vjp(params..., dout=1.0)``.
    assert _entry_name(_read_expected(name)) == f"{name}_vjp"


def _as_tuple(grads, wrt):
    return tuple(grads) if isinstance(wrt, (tuple, list)) else (grads,)


def _assert_close(actual, expected, what, tol):
    for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
        a, e = np.asarray(a, dtype=float), np.asarray(e, dtype=float)
        assert a.shape == e.shape or a.size == e.size == 1, (
            f"{what}[{i}]: shape {a.shape} != {e.shape}")
        np.testing.assert_allclose(a.reshape(e.shape), e, err_msg=f"{what}[{i}]", **tol)


@pytest.mark.parametrize("name", NAMES)
def test_expected_module_computes_gradient(name, tmp_path):
    case = CASES_BY_NAME[name]
    text = _read_expected(name)
    compile(text, str(_expected_path(name)), "exec")

    path = tmp_path / f"golden_{name}.py"
    path.write_text(text, encoding="utf-8")
    module = _import_from_file(path, f"golden_generated_{name}")
    entry = getattr(module, _entry_name(text))

    value, grads = entry(*_args(name))
    plain = srcgrad.without_hooks(case.fn)  # grad_of blocks run only in generated code
    expected_value = plain(*_args(name))
    np.testing.assert_allclose(value, expected_value, **GRAD_TOL)

    grads = _as_tuple(grads, case.wrt)
    reference = _as_tuple(srcgrad.grad(case.fn, wrt=case.wrt)(*_args(name)), case.wrt)
    _assert_close(grads, reference, f"{name}: generated vs srcgrad.grad", GRAD_TOL)

    numeric = _as_tuple(gradcheck.numeric_grad(plain, _args(name), case.wrt), case.wrt)
    _assert_close(grads, numeric, f"{name}: generated vs finite differences", FD_TOL)


# --------------------------------------------------------------------------
# the generated sources are lint-clean
# --------------------------------------------------------------------------


def _ruff_config():
    """The project's ruff settings (line length, lint rules), as a ruff.toml.

    Only those: first-party detection and excludes depend on where a file
    lives, and generated modules live in srcgrad's cache, outside any project.
    """
    with open(REPO_ROOT / "pyproject.toml", "rb") as fh:
        ruff = tomllib.load(fh)["tool"]["ruff"]
    lint = ruff.get("lint", {})

    def toml_list(items):
        return "[" + ", ".join(f'"{i}"' for i in items) + "]"

    lines = []
    if "line-length" in ruff:
        lines.append(f"line-length = {ruff['line-length']}")
    lines.append("[lint]")
    for key in ("select", "ignore"):
        if key in lint:
            lines.append(f"{key} = {toml_list(lint[key])}")
    # the generated modules import helpers from golden.functions: the user's own package
    lines.append("[lint.isort]")
    lines.append('known-first-party = ["golden"]')
    return "\n".join(lines) + "\n"


def test_generated_sources_pass_ruff(tmp_path):
    for name in NAMES:
        (tmp_path / f"{name}.py").write_text(_generate(name), encoding="utf-8")
    (tmp_path / "ruff.toml").write_text(_ruff_config(), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise",
         "--config", str(tmp_path / "ruff.toml"), "."],
        cwd=tmp_path, capture_output=True, text=True,
    )
    if "No module named ruff" in proc.stderr:
        pytest.fail("ruff is not installed in this environment (pip install -e '.[test]')")
    assert proc.returncode == 0, (
        f"ruff check fails on the generated sources:\n{proc.stdout}{proc.stderr}")


# --------------------------------------------------------------------------
# determinism
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_generation_is_deterministic_in_process(name):
    assert _generate(name) == _generate(name)


_SUBPROCESS_SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1])
import srcgrad
from golden.functions import CASES
json.dump({c.name: srcgrad.source(c.fn, wrt=c.wrt) for c in CASES}, sys.stdout)
"""


@pytest.mark.parametrize("hashseed", ["0", "12345"])
def test_generation_is_deterministic_across_processes(hashseed):
    # A fresh interpreter with its own string-hash seed: set/dict-of-str
    # iteration order changes, so any order leaking into the output shows.
    env = dict(os.environ, PYTHONHASHSEED=hashseed)
    proc = subprocess.run(
        [sys.executable, "-c", _SUBPROCESS_SCRIPT, str(TESTS_DIR)],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    other = json.loads(proc.stdout)
    assert sorted(other) == sorted(NAMES)
    differ = [name for name in NAMES if other[name] != _generate(name)]
    assert not differ, f"generated source differs in a fresh process for: {differ}"
