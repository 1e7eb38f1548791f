"""Reversed scalar loops run as array operations (``transforms/linscan.py``).

Each case checks which loops are rewritten, and how, and the gradient against
finite differences; a loop the pass must leave alone is checked to keep its
``for`` over the saved values.  The functions annotate their Python-float
parameters (``x: float``), which is what lets ``srcgrad.source`` know them to
be scalars; ``grad`` learns it from the arguments.
"""

from __future__ import annotations

import importlib.util
import math
import re

import numpy as np
import pytest
from gradcheck import assert_grads_close, numeric_grad
from hypothesis import given, note, settings
from hypothesis import strategies as st

import srcgrad

VECTORIZED = "run as array operations"


def recurrence(a: float, b: float, x: float, n: int):
    for _ in range(n):
        x = x + 0.01 * (a * math.sin(x) - b * x)
    return x * x


def horner(x: float, n: int):
    acc = 0.0
    for k in range(n):
        acc = acc * x + 1.0 / (k + 1)
    return acc


def logistic(r: float, x: float):
    for _ in range(40):
        x = r * x * (1.0 - x)
    return x


def damped(k: float, y: float, n: int):
    t = 0.0
    for _ in range(n):
        y = y + 0.05 * (-k * y + math.cos(t))
        t += 0.05
    return y


def two_carried(x: float, v: float, n: int):
    for _ in range(n):
        x, v = x + 0.1 * v, v - 0.1 * math.sin(x)
    return x * v


def sums_every_step(x: float, n: int):
    s = 0.0
    for _ in range(n):
        s = s + x * x
        x = 0.9 * x
    return s


def reads_loop_value_after(x: float, n: int):
    y = x * x
    w = y * y
    for _ in range(n):
        y = y * 0.5 + math.sin(y)
    return y + w


def with_divide(a: float, x: float, n: int):
    for _ in range(n):
        x = x / (1.0 + a * x * x)
    return x


def squashed(p: float, q: float, x: float, n: int):
    for _ in range(n):
        x = math.tanh(p * x + q)
    return x


def array_state(x, n: int):
    for _ in range(n):
        x = x + 0.1 * np.sin(x)
    return np.sum(x * x)


def helper(x, a):
    for _ in range(8):
        x = x + 0.1 * math.tanh(a * x)
    return x


def calls_helper(x: float, a: float):
    return helper(x, a) ** 2


def text_of(f, wrt):
    return srcgrad.source(f, wrt=wrt)


def check(f, args, wrt):
    g = srcgrad.grad(f, wrt=wrt)(*args)
    assert_grads_close(g, numeric_grad(f, args, wrt), isinstance(wrt, tuple))
    indices = wrt if isinstance(wrt, tuple) else (wrt,)
    for i, gi in zip(indices, g if isinstance(wrt, tuple) else (g,)):
        assert type(gi) is type(args[i]), (type(gi), type(args[i]))
    return g


def test_a_scalar_recurrence_runs_backwards_as_a_cumulative_product():
    text = text_of(recurrence, (0, 1, 2))
    assert VECTORIZED in text
    assert "x = np.array(x_tape, float)[::-1]" in text
    assert "dx_steps = np.cumprod(np.append(dx, dx_factor))" in text
    assert not re.search(r"^ +for ", text.split("dx = 2 *")[1], re.M)  # no loop left
    check(recurrence, (1.3, 0.4, 0.7, 200), (0, 1, 2))


def test_a_saved_value_computed_from_another_is_computed_again():
    text = text_of(recurrence, (0, 1, 2))
    assert "sin_x_tape" not in text
    assert "sin_x = np.sin(x)" in text
    # and the forward loop, no longer saving it, folds it back into the user's line
    assert "x = x + 0.01 * (a * math.sin(x) - b * x)" in text
    assert "sin_x = math.sin(x)" not in text


def test_a_value_restored_from_the_step_before():
    # the adjoint of x = tanh(p * x + q) reads the new x, which the reversed
    # step before restored (and the first one finds in x)
    text = text_of(squashed, (0, 1, 2))
    assert "x = np.append(x, x_prev)[:-1]" in text
    check(squashed, (0.7, 0.2, 0.4, 1), (0, 1, 2))
    check(squashed, (0.7, 0.2, 0.4, 0), (0, 1, 2))


def test_a_factor_the_same_at_every_step_is_filled_out():
    text = text_of(horner, 0)
    assert VECTORIZED in text and "np.full(len(acc_tape), x, float)" in text
    check(horner, (0.7, 9), 0)


@pytest.mark.parametrize("f, args, wrt", [
    (logistic, (3.1, 0.3), (0, 1)),
    (damped, (0.8, 1.2, 50), (0, 1)),
    (with_divide, (0.3, 0.9, 25), (0, 1)),  # the reversed step reads x's new value
    (squashed, (0.7, 0.2, 0.4, 30), (0, 1, 2)),
])
def test_other_linear_recurrences(f, args, wrt):
    assert VECTORIZED in text_of(f, wrt)
    check(f, args, wrt)


@pytest.mark.parametrize("f, args, wrt", [
    (two_carried, (0.3, 1.0, 30), (0, 1)),   # two cotangents carried: a matrix recurrence
    (sums_every_step, (0.8, 12), 0),           # ds is added to the carried value each step
    (reads_loop_value_after, (0.6, 10), 0),    # y's first value is read after the loop
])
def test_loops_that_stay_loops(f, args, wrt):
    text = text_of(f, wrt)
    assert VECTORIZED not in text and "reversed(" in text
    check(f, args, wrt)


def test_arrays_are_not_taken_for_scalars():
    text = text_of(array_state, 0)
    assert VECTORIZED not in text
    check(array_state, (np.array([0.2, -0.5, 1.1]), 6), 0)


def test_no_trips():
    assert check(recurrence, (1.3, 0.4, 0.7, 0), (0, 1, 2)) == (0.0, 0.0, 1.4)
    assert check(horner, (0.7, 0), 0) == 0.0


def test_a_callee_runs_its_reversed_loop_as_array_operations():
    # grad specializes for the Python floats it is given, callees included
    check(calls_helper, (0.4, 1.7), (0, 1))


def test_the_seed_may_be_a_numpy_scalar():
    out, pullback = srcgrad.vjp(recurrence, 1.3, 0.4, 0.7, 50, wrt=(0, 1, 2))
    ones = pullback(1.0)
    twos = pullback(np.float64(2.0))
    np.testing.assert_allclose(twos, [2 * g for g in ones], rtol=1e-12)


def three_steps(p: float, q: float, x: float, n: int):
    for _ in range(n):
        x = x + 0.05 * (p * math.sin(x) - q * x)
        x = 0.9 * x + 0.05 * math.exp(-x * x) * q
        x = -0.5 * x + 0.1 * p * q
    return x * x


@pytest.mark.parametrize("f, args, n_wrt", [
    (recurrence, (1.3, 0.4, 0.7, 60), 3),
    (logistic, (3.1, 0.3), 2),          # a list of tuples
    (horner, (0.7, 9), 1),              # the same factor at every step
    (calls_helper, (0.4, 1.7), 2),      # in a callee
    (three_steps, (0.3, 0.5, 0.2, 7), 3),  # dx read between the steps' updates
    (three_steps, (0.3, 0.5, 0.2, 0), 3),  # no trips
    (squashed, (0.7, 0.2, 0.4, 12), 3),    # a value restored by the step before
])
def test_hessian_vector_products_through_the_array_code(f, args, n_wrt):
    wrt = tuple(range(n_wrt))
    v = tuple(np.linspace(0.3, -0.6, n_wrt))
    hv = srcgrad.hvp(f, wrt=wrt)(*args, v)
    g = srcgrad.grad(f, wrt=wrt)
    eps = 1e-6
    plus = g(*(a + eps * d for a, d in zip(args, v)), *args[n_wrt:])
    minus = g(*(a - eps * d for a, d in zip(args, v)), *args[n_wrt:])
    np.testing.assert_allclose(hv, [(p - m) / (2 * eps) for p, m in zip(plus, minus)],
                               rtol=1e-5, atol=1e-8)


def twice_affine(p: float, x: float, n: int):
    for _ in range(n):
        x = -0.5 * x + 0.1 * p
        x = -0.5 * x + 0.1 * p
    return x * x


def test_a_factor_the_same_at_every_step_in_two_parts():
    # found by the random search: the first part's factor was taken to vary
    text = text_of(twice_affine, (0, 1))
    assert "np.full(len(range(n)), dx_mid_factor * -0.5, float)" in text
    check(twice_affine, (0.3, 1.0, 2), (0, 1))


def test_a_value_read_between_two_updates_of_the_carried_cotangent():
    text = text_of(three_steps, (0, 1, 2))
    assert VECTORIZED in text and "dx_mid = dx_steps[:-1] * dx_mid_factor" in text
    check(three_steps, (0.3, 0.5, 0.2, 11), (0, 1, 2))


def test_a_module_whose_np_is_not_numpy_keeps_the_loop(tmp_path, monkeypatch):
    # the array code is host numpy; a module that binds np to cupy keeps the loop
    (tmp_path / "on_device.py").write_text(
        "import math\n"
        "import fakecupy\n"
        "np = fakecupy.module\n\n\n"
        "def f(a: float, x: float):\n"
        "    for _ in range(20):\n"
        "        x = x + 0.1 * math.sin(a * x)\n"
        "    return x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import on_device

    assert VECTORIZED not in srcgrad.source(on_device.f, wrt=(0, 1))
    check(on_device.f, (0.7, 0.4), (0, 1))
    on_device.np = np
    assert VECTORIZED in srcgrad.source(on_device.f, wrt=(0, 1))


def test_the_benchmark_recurrence_matches_the_loop_to_rounding():
    # the loop's own order of products: equal to the step-by-step reverse sweep
    a, b, x0, h, n = 1.3, 0.4, 0.7, 0.001, 5000
    xs, x = [], x0
    for _ in range(n):
        xs.append(x)
        x = x + h * (a * math.sin(x) - b * x)
    gx, ga, gb = 2.0 * x, 0.0, 0.0
    for xi in reversed(xs):
        t = h * gx
        ga += t * math.sin(xi)
        gb -= t * xi
        gx += t * (a * math.cos(xi) - b)

    def f(a, b, x, h, n):
        for _ in range(n):
            x = x + h * (a * math.sin(x) - b * x)
        return x * x

    got = srcgrad.grad(f, wrt=(0, 1, 2))(a, b, x0, h, n)
    np.testing.assert_allclose(got, (ga, gb, gx), rtol=1e-12)


# -- random loops -------------------------------------------------------------

# loop-body statements over the scalar state x (and s), the parameters p and q
_STEPS = [
    "x = x + 0.05 * (p * math.sin(x) - q * x)",
    "x = x * (1.0 - 0.1 * math.tanh(p * x))",
    "t = math.cos(x) * q\n        x = x + 0.05 * t",
    "x = p * x / (1.0 + x * x)",
    "s = s + x * p",
    "x = 0.9 * x + 0.05 * math.exp(-x * x) * q",
    "x = -0.5 * x + 0.1 * p * q",
    "x = math.sqrt(1.0 + x * x) * 0.6 - 0.2 * p",
    "x = x - 0.1 * math.atan(x) * q",
    "x = x * math.exp(-0.1 * (1.0 + p * p) * x * x)",
    "x = (x + p) / (2.0 + q * q)",
    "t = math.tanh(x)\n        x = x + 0.1 * t * t - 0.05 * p",
    "u = x * x\n        x = 0.8 * x - 0.1 * u * q + 0.01 * u ** 2",
    "x = x * 0.5 + 0.1 * p",
    "z = x * p\n        w = z * q\n        x = x - 0.1 * w + 0.01 * z * z",
]


@settings(max_examples=40, deadline=None, derandomize=True)
@given(steps=st.lists(st.sampled_from(_STEPS), min_size=1, max_size=3),
       n=st.integers(0, 25),
       values=st.tuples(*[st.floats(-1.0, 1.0) for _ in range(3)]))
def test_random_scalar_loops(tmp_path_factory, steps, n, values):
    body = "\n        ".join(steps)
    src = (f"import math\n\n\ndef f(p, q, x, n):\n    s = 0.0\n    for _ in range(n):\n"
           f"        {body}\n    return x * x + s\n")
    path = tmp_path_factory.mktemp("linscan") / "random_loop.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location(f"random_loop_{abs(hash(src))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    args = (*values, n)
    note(src)
    g = srcgrad.grad(module.f, wrt=(0, 1, 2))(*args)
    assert_grads_close(g, numeric_grad(module.f, args, (0, 1, 2)), True, rtol=1e-4, atol=1e-6)


# -- the pass on its own --------------------------------------------------------

def _sweeps(rev_after):
    import gast

    fwd = gast.parse("x_tape = []\nfor _ in range(n):\n    x_tape.append(x)\n"
                     "    x = a * x\n").body
    rev = gast.parse("for x in reversed(x_tape):\n    da += dx * x\n    dx = dx * a\n"
                     + rev_after).body
    rev[0]._sg_loop_of = fwd[1]._sg_loop_of = object()
    return fwd, rev


def _run(fwd, rev, returned=()):
    from srcgrad.transforms.ast_util import unparse
    from srcgrad.transforms.linscan import vectorize_linear_loops
    from srcgrad.transforms.naming import Namer

    vectorize_linear_loops(fwd, rev, ["x_tape"], lambda v: v in {"a", "x", "da", "dx"},
                           Namer(set()), returned)
    return unparse(rev)


def test_a_restored_value_read_after_the_loop_keeps_the_loop():
    assert VECTORIZED in _run(*_sweeps("dx0 = dx\n"))
    assert VECTORIZED not in _run(*_sweeps("dy = dx * x\n"))
    fwd, rev = _sweeps("")
    assert VECTORIZED not in _run(fwd, rev, returned={"x"})


def test_names_not_known_to_be_scalars_keep_the_loop():
    from srcgrad.transforms.linscan import vectorize_linear_loops
    from srcgrad.transforms.naming import Namer

    fwd, rev = _sweeps("")
    vectorize_linear_loops(fwd, rev, ["x_tape"], lambda v: v in {"x", "da", "dx"},
                           Namer(set()), ())
    assert isinstance(rev[0], type(fwd[1]))  # still a for loop: a may be an array


# -- found in review ------------------------------------------------------------

def shift_then_halve(a: float, x: float, n: int):
    for _ in range(n):
        x = x + a
        x = x * 0.5
    return x


def scale_twice(a: float, b: float, x: float, n: int):
    for _ in range(n):
        x = a * x
        x = x * b
    return x


def test_a_factor_read_between_updates_that_is_the_same_at_every_step():
    # dx_mid_factor is a number, not an array: dx_factor must still be one per step
    text = text_of(shift_then_halve, (0, 1))
    assert VECTORIZED in text and "np.full(len(range(n)), dx_mid_factor, float)" in text
    assert check(shift_then_halve, (0.7, 0.3, 6), 0) == pytest.approx(0.984375, rel=1e-12)
    check(scale_twice, (0.7, 1.1, 0.3, 6), (0, 1, 2))
    check(scale_twice, (0.7, 1.1, 0.3, 0), (0, 1, 2))


def negative_power_of_a_count(a: float, x: float, n: int):
    k = 1
    for _ in range(n):
        x = x * a * k + x * k ** -1
        k = k + 1
    return x


def big_counts(a: float, x: float, n: int):
    k = 3_000_000
    for _ in range(n):
        c = k * k * k
        x = x * a * k * 1e-6 + x / c * 1e19
        k = k + 1
    return x


def gated(a: float, x: float, n: int):
    for _ in range(n):
        m = x > 0.5
        x = x * a - x * m
    return x


def tripled(x: float, n: int):
    for _ in range(n):
        x = 3 * x
    return x


@pytest.mark.parametrize("f, args, wrt", [
    (negative_power_of_a_count, (0.7, 0.3, 6), (0, 1)),  # int ** -1 on an int array raised
    (big_counts, (0.7, 0.3, 5), (0, 1)),                 # k * k * k overflowed int64
    (gated, (1.7, 1.0, 5), (0, 1)),                      # -m on a bool array raised
])
def test_saved_ints_and_bools_are_python_numbers_in_the_array_code(f, args, wrt):
    assert VECTORIZED in text_of(f, wrt)
    check(f, args, wrt)


def test_an_int_seed_times_an_int_factor_does_not_overflow():
    _, pullback = srcgrad.vjp(tripled, 1.0, 50, wrt=0)
    assert pullback(1) == pytest.approx(3.0 ** 50, rel=1e-12)


def squares_a_temporary(p: float, q: float, x: float, n: int):
    for _ in range(n):
        z = x * p
        w = z * q
        x = x - 0.1 * w + 0.01 * z * z
    return x


def test_a_cotangent_the_step_binds_then_adds_to_is_not_a_sum_over_steps():
    # the reversed step has dz = ...; dz = dz + ...; dz += dw * q: the last is
    # the step's own dz (read by dp += dz * x and dx += dz * p), not a sum into dz
    text = text_of(squares_a_temporary, (0, 1, 2))
    assert VECTORIZED in text
    check(squares_a_temporary, (0.46, -0.73, -0.4, 1), (0, 1, 2))
    check(squares_a_temporary, (0.46, -0.73, -0.4, 7), (0, 1, 2))


def named_t(p: float, q: float, x: float, n: int):
    for _ in range(n):
        x = x / 1.5 + q
        x_prev = x
        x = 0.5 * x + 0.1 * math.sin(x_prev) * p
        t = x * p
        t = t * q
        x = x + 0.1 * t
    return x * x


def test_hessian_vector_product_where_the_array_code_has_a_t():
    # dq += float(dt @ t): forward mode's rule for @ is rt.lin(dx1, lambda t: t @ x2)
    assert "dq += float(dt @ t)" in text_of(named_t, (0, 1, 2))
    args, v = (0.17, 0.91, -0.22, 3), (0.3, -0.5, 0.7)
    hv = srcgrad.hvp(named_t, wrt=(0, 1, 2))(*args, v)
    g = srcgrad.grad(named_t, wrt=(0, 1, 2))
    eps = 1e-6
    plus = g(*(a + eps * d for a, d in zip(args, v)), 3)
    minus = g(*(a - eps * d for a, d in zip(args, v)), 3)
    np.testing.assert_allclose(hv, [(p - m) / (2 * eps) for p, m in zip(plus, minus)],
                               rtol=1e-5, atol=1e-8)


def binds_float(a: float, x: float, n: int):
    float = 0.1
    for _ in range(n):
        x = x + float * a * math.sin(x)
    return x


def test_a_function_that_binds_float_keeps_the_loop():
    # the array code calls float(...) (and len); a local of that name is not the builtin
    assert VECTORIZED not in text_of(binds_float, (0, 1))
    check(binds_float, (0.7, 0.3, 5), (0, 1))


def restarts_s(a: float, x: float, n: int):
    for _ in range(n):
        s = math.sin(x)
        x = x * a + s
        s = s * x
        x = x + 0.1 * s
    return x


def test_no_comment_is_left_over_statements_the_factor_took_in():
    # the reversed steps of lines 2 and 3 all went into dx_factor: their
    # comments went with them
    text = text_of(restarts_s, (0, 1))
    assert VECTORIZED in text
    lines = text.split("dx_steps = ")[1].splitlines()
    located = [k for k, line in enumerate(lines) if re.search(r"# .*test_linscan\.py:\d+$", line)]
    assert located and all(not lines[k + 1].lstrip().startswith("#") for k in located)
    assert not lines[located[-1] + 1].lstrip().startswith("dx = float(")
    check(restarts_s, (0.7, 0.3, 5), (0, 1))


def test_a_negated_term_is_taken_from_its_sum():
    # the loop's dk += -dneg_k: dk -= ..., not dk += float(np.sum(-dneg_k))
    text = text_of(damped, (0, 1))
    assert "dk -= float(np.sum(dneg_k))" in text and "np.sum(-" not in text
    check(damped, (0.8, 1.2, 50), (0, 1))


def test_a_tuple_assignment_rebinds_its_names():
    # the array code binds a list of tuples' columns with one assignment
    # (c, sin_x = ...T): a returned name among them must be captured first
    import gast
    from srcgrad.transforms.program import _rebinds

    stmts = gast.parse("c, sin_x = np.array(locals_tape, float).reshape(-1, 2)[::-1].T").body
    assert _rebinds(stmts, "c") and _rebinds(stmts, "sin_x") and not _rebinds(stmts, "x")


def test_a_long_factor_is_wrapped_at_its_terms():
    text = text_of(three_steps, (0, 1, 2))
    assert max(len(line) for line in text.splitlines()) <= 99
    assert "        dx_mid_factor2 = (\n            dx_mid_factor * q" in text
    compile(text, "three_steps", "exec")


def test_a_name_added_to_after_the_loop_counts_as_read_there():
    fwd, rev = _sweeps("dy = dx\nx += dy\n")
    assert VECTORIZED not in _run(fwd, rev)


def halving(x: float, a: float):
    k = 0
    while k < 7:
        x = 0.5 * x + a
        k += 1
    return x * x


def test_a_while_loop_that_saves_nothing():
    # reversed as for _ in range(n_iter): the number of steps is all it needs
    text = text_of(halving, (0, 1))
    assert VECTORIZED in text and "np.full(len(range(n_iter)), 0.5, float)" in text
    check(halving, (0.3, 0.7), (0, 1))


def bound_in_loop(p: float, q: float, n: int):
    s = q
    for _ in range(n):
        x = p * s
        x = math.tanh(x)
        s = s + x * q
    return s


def test_a_restored_value_the_loop_binds_is_read_only_if_the_loop_ran():
    # x exists only once the loop has run: its array code sits under if s_tape:
    text = text_of(bound_in_loop, (0, 1))
    assert "    if s_tape:\n" in text and "x = np.append(x, x_prev)[:-1]" in text
    check(bound_in_loop, (0.3, 0.7, 3), (0, 1))
    check(bound_in_loop, (0.3, 0.7, 0), (0, 1))
