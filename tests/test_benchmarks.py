"""The benchmark programs and runner (benchmarks/).

(a) every hand-written gradient matches central finite differences;
(b) srcgrad.grad matches the hand-written gradients;
(c) ``benchmarks/run.py --quick`` runs and exits 0.

No timing thresholds here: timings are only reported by benchmarks/run.py.
"""

import copy
import inspect
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.programs import PROGRAMS  # noqa: E402

RUN_PY = ROOT / "benchmarks" / "run.py"
IDS = [p.name for p in PROGRAMS]


def _with(args, i, value):
    args = list(args)
    args[i] = value
    return args


def central_difference(f, args, i, eps=1e-6):
    """d f / d args[i], elementwise central differences."""
    x = args[i]
    if isinstance(x, float):
        return (f(*_with(args, i, x + eps)) - f(*_with(args, i, x - eps))) / (2 * eps)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xp = x.copy()
        xp[idx] += eps
        xm = x.copy()
        xm[idx] -= eps
        grad[idx] = (f(*_with(args, i, xp)) - f(*_with(args, i, xm))) / (2 * eps)
    return grad


def assert_same_structure(grads, program, args):
    assert isinstance(grads, tuple) and len(grads) == len(program.wrt)
    for g, i in zip(grads, program.wrt, strict=True):
        if isinstance(args[i], float):
            assert np.ndim(g) == 0, f"d/d(arg {i}) should be a scalar"
        else:
            assert np.shape(g) == args[i].shape, f"d/d(arg {i}) has the wrong shape"


# -- (a) hand-written gradients vs finite differences -------------------------


@pytest.mark.parametrize("program", PROGRAMS, ids=IDS)
def test_hand_gradient_matches_finite_differences(program):
    args = program.make_inputs("small")
    grads = program.hand_grad(*args)
    assert_same_structure(grads, program, args)
    for g, i in zip(grads, program.wrt, strict=True):
        fd = central_difference(program.forward, args, i)
        np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-8, err_msg=f"d/d(arg {i})")


@pytest.mark.parametrize("size", ["quick", "full"])
@pytest.mark.parametrize("program", PROGRAMS, ids=IDS)
def test_hand_gradient_directional_derivative(program, size):
    """At the benchmark sizes: <grad, v> against a central difference along v."""
    args = program.make_inputs(size)
    grads = program.hand_grad(*args)
    assert_same_structure(grads, program, args)
    rng = np.random.default_rng(1)
    directions = {i: rng.normal(size=np.shape(args[i])) for i in program.wrt}
    eps = 1e-6

    def shifted(sign):
        out = list(args)
        for i, v in directions.items():
            out[i] = args[i] + sign * eps * (float(v) if np.ndim(v) == 0 else v)
        return out

    fd = (program.forward(*shifted(1)) - program.forward(*shifted(-1))) / (2 * eps)
    exact = sum(float(np.sum(g * directions[i])) for g, i in zip(grads, program.wrt, strict=True))
    assert abs(fd - exact) <= 1e-5 * (abs(exact) + 1e-3), (fd, exact)


@pytest.mark.parametrize("program", PROGRAMS, ids=IDS)
def test_programs_do_not_mutate_their_inputs(program):
    args = program.make_inputs("small")
    before = copy.deepcopy(args)
    program.forward(*args)
    program.hand_grad(*args)
    for a, b in zip(args, before, strict=True):
        np.testing.assert_array_equal(a, b)


# -- (b) srcgrad vs hand-written ----------------------------------------------


def _srcgrad_gradient(program, args, wrt):
    import srcgrad

    grads = srcgrad.grad(program.forward, wrt=wrt)(*args)
    assert isinstance(grads, tuple), f"wrt={wrt!r} should give a tuple, got {type(grads)}"
    return grads


@pytest.mark.parametrize("wrt_form", ["indices", "names"])
@pytest.mark.parametrize("program", PROGRAMS, ids=IDS)
def test_srcgrad_matches_hand_written(program, wrt_form):
    args = program.make_inputs("small")
    wrt = program.wrt
    if wrt_form == "names":
        params = list(inspect.signature(program.forward).parameters)
        wrt = tuple(params[i] for i in wrt)
    got = _srcgrad_gradient(program, args, wrt)
    want = program.hand_grad(*args)
    assert_same_structure(got, program, args)
    for g, w, i in zip(got, want, program.wrt, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-7, atol=1e-10, err_msg=f"d/d(arg {i})")


# -- (c) the runner -----------------------------------------------------------


def _run(*flags):
    return subprocess.run(
        [sys.executable, str(RUN_PY), *flags],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_run_quick_without_srcgrad():
    """The harness itself (forward and hand-written timings only)."""
    proc = _run("--quick", "--skip-srcgrad")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for program in PROGRAMS:
        assert f"| {program.name} |" in proc.stdout


def test_run_only_rejects_unknown_program():
    proc = _run("--quick", "--only", "no-such-program")
    assert proc.returncode == 2
    assert "unknown program" in proc.stderr


def test_run_quick():
    proc = _run("--quick")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "MISMATCH" not in proc.stdout and "ERROR" not in proc.stdout
    for program in PROGRAMS:
        assert f"| {program.name} |" in proc.stdout
