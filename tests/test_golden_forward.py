"""Golden files for forward mode: ``srcgrad.source(f, wrt, mode="forward")``.

The same functions as tests/test_golden.py (a selection covering loops,
branches, while loops, helpers, lists and in-place writes), pinned in
``tests/golden/expected/forward/<name>.py.txt``, plus the forward-over-reverse
module of ``grad(grad(f))`` for one scalar function.  Update with

    SRCGRAD_UPDATE_GOLDEN=1 pytest tests/test_golden_forward.py

Each expected module is also run: its tangent must match ``srcgrad.jvp`` and
central finite differences along a random direction.
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import zlib
from pathlib import Path

import numpy as np
import pytest
from golden.functions import CASES_BY_NAME

import srcgrad

FORWARD = ["tanh_layer_loss", "logistic_map", "huber_loop", "newton_sqrt", "first_crossing",
           "discounted_return", "spring_chain_energy", "recursive_poly", "rk4_decay",
           "rnn_loss", "cumulative_product", "smooth_filter"]
SECOND = ["logistic_map"]  # source(grad(grad(f)))

EXPECTED = Path(__file__).resolve().parent / "golden" / "expected" / "forward"
UPDATE = os.environ.get("SRCGRAD_UPDATE_GOLDEN", "") not in ("", "0")


def _wrt(case):
    return case.wrt


def _source(name, second=False):
    case = CASES_BY_NAME[name]
    if second:
        wrt = case.wrt[0] if isinstance(case.wrt, tuple) else case.wrt
        return srcgrad.source(srcgrad.grad(case.fn, wrt))
    return srcgrad.source(case.fn, wrt=case.wrt, mode="forward")


def _compare(path, actual):
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != actual:
            path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"{path.name} is missing; run SRCGRAD_UPDATE_GOLDEN=1 pytest {__file__}")
    expected = path.read_text(encoding="utf-8")
    if expected != actual:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            "expected", "actual"))
        pytest.fail(f"forward-mode source of {path.name} changed; review and update with "
                    f"SRCGRAD_UPDATE_GOLDEN=1\n{diff}", pytrace=False)


@pytest.mark.parametrize("name", FORWARD)
def test_forward_golden_source(name):
    _compare(EXPECTED / f"{name}.py.txt", _source(name))


@pytest.mark.parametrize("name", SECOND)
def test_second_order_golden_source(name):
    _compare(EXPECTED / f"{name}_grad_grad.py.txt", _source(name, second=True))


def _direction(rng, a):
    if type(a) in (float, int):
        return float(rng.standard_normal())
    return rng.standard_normal(np.shape(a))


@pytest.mark.parametrize("name", FORWARD)
def test_forward_golden_module_computes_the_tangent(name, tmp_path):
    case = CASES_BY_NAME[name]
    path = EXPECTED / f"{name}.py.txt"
    text = path.read_text(encoding="utf-8")
    mod_path = tmp_path / f"forward_{name}.py"
    mod_path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"forward_{name}", mod_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    entry = getattr(module, f"{name}_jvp")
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    args = case.args(rng)
    wrt = case.wrt if isinstance(case.wrt, tuple) else (case.wrt,)
    vs = [_direction(rng, args[i]) for i in wrt]
    value, tangent = entry(*args, *vs)
    tangents = [None] * len(args)
    for i, v in zip(wrt, vs):
        tangents[i] = v
    ref_value, ref_tangent = srcgrad.jvp(case.fn, args, tangents)
    np.testing.assert_allclose(value, ref_value, rtol=1e-12)
    np.testing.assert_allclose(tangent, ref_tangent, rtol=1e-10, atol=1e-12)
    eps = 1e-6

    def shifted(s):
        a = list(args)
        for i, v in zip(wrt, vs):
            a[i] = a[i] + s * v
        return case.fn(*a)

    np.testing.assert_allclose(tangent, (shifted(eps) - shifted(-eps)) / (2 * eps),
                               rtol=1e-5, atol=1e-7)
