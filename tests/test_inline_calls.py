"""Small helpers called in loops are written in place (``transforms/inline_calls.py``),
and a reversed loop's outer products are summed in one matrix product
(``transforms/gather.py``).

Each case checks the generated code's shape and the gradient against finite
differences; cases the passes must leave alone keep their call pairs or
their per-step sums.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from gradcheck import assert_grads_close, numeric_grad

import srcgrad
from srcgrad import api

SCALE = 0.3


def rate(x, a):
    return a * x - SCALE * x * x


def step(x, a, dt):
    for _ in range(3):
        x = x + dt * rate(x, a)
    return x


def euler(x, a, n):
    for _ in range(n):
        x = x + 0.1 * rate(x, a)
    return np.sum(x * x)


def once(x, a):
    return np.sum(rate(x, a) ** 2)


def branchy_rate(x, a):
    if np.sum(x) > 0:
        return a * x
    return -a * x


def euler_branchy(x, a, n):
    for _ in range(n):
        x = x + 0.1 * branchy_rate(x, a)
    return np.sum(x * x)


def pair(x, a):
    return a * x, x


def euler_pair(x, a, n):
    for _ in range(n):
        y, z = pair(x, a)
        x = x + 0.1 * y
    return np.sum(x * x)


def nested(x, a, n):
    for _ in range(n):
        x = step(x, a, 0.05)
    return np.sum(x * x)


def shadows(x, a, n):
    SCALE = 2.0  # noqa: N806 - the caller's own SCALE is not the helper's
    for _ in range(n):
        x = x + 0.1 * rate(x, a) * SCALE
    return np.sum(x * x)


def lotka(x, r, A):
    return x * (r + A @ x)


def rk2(x, r, A, n):
    for _ in range(n):
        k1 = lotka(x, r, A)
        x = x + 0.01 * (k1 + lotka(x + 0.01 * k1, r, A))
    return np.sum(x * x)


def rewrites_outer(x, A, n):
    for _ in range(n):
        x = np.tanh(A @ x)
    return np.sum(x)


def _source(f, args, wrt):
    """The code ``srcgrad.grad(f, wrt)(*args)`` runs (specialized for the arguments)."""
    params = list(inspect.signature(f).parameters)
    kinds = api._arg_kinds(params, args)
    return api.generate(f, [params[i] for i in wrt], scalar_params=kinds[0],
                        list_params=kinds[1], shape_params=kinds[2]).text


def _check(f, args, wrt):
    g = srcgrad.grad(f, wrt=wrt)(*args)
    assert_grads_close(g, numeric_grad(f, args, wrt), isinstance(wrt, tuple))


X = np.array([0.3, -0.2, 0.5])


def test_a_helper_called_in_a_loop_is_written_in_place():
    text = srcgrad.source(euler, wrt=(0, 1))
    assert "rate_fwd" not in text and "rate_bwd" not in text
    assert "# x = x + 0.1 * rate(x, a)" in text  # under the calling line's comment
    assert "\nSCALE = 0.3\n" in text  # the helper's global comes along
    _check(euler, (X, 0.7, 4), (0, 1))


def test_a_helper_called_once_stays_a_call_pair():
    text = srcgrad.source(once, wrt=(0, 1))
    assert "def rate_fwd(" in text and "def rate_bwd(" in text
    _check(once, (X, 0.7), (0, 1))


@pytest.mark.parametrize("f", [euler_branchy, euler_pair, nested, shadows])
def test_helpers_that_stay_call_pairs(f):
    # a branch, a tuple result, a loop inside, a global the caller shadows
    text = srcgrad.source(f, wrt=(0, 1))
    assert "_fwd(" in text
    _check(f, (X, 0.7, 3), (0, 1))


def test_inlined_helpers_under_forward_mode_and_hvp():
    args = (X, 0.7, 4)
    value, tangent = srcgrad.jvp(euler, args, (np.array([1.0, 0.5, -0.3]), 0.2, None))
    eps = 1e-6
    plus = euler(X + eps * np.array([1.0, 0.5, -0.3]), 0.7 + eps * 0.2, 4)
    minus = euler(X - eps * np.array([1.0, 0.5, -0.3]), 0.7 - eps * 0.2, 4)
    assert tangent == pytest.approx((plus - minus) / (2 * eps), rel=1e-6)
    v = (np.array([0.2, -0.1, 0.4]), 0.3)
    hv = srcgrad.hvp(euler, wrt=(0, 1))(*args, v)
    g = srcgrad.grad(euler, wrt=(0, 1))
    gp = g(X + eps * v[0], 0.7 + eps * v[1], 4)
    gm = g(X - eps * v[0], 0.7 - eps * v[1], 4)
    for got, p, m in zip(hv, gp, gm):
        np.testing.assert_allclose(got, (np.asarray(p) - m) / (2 * eps), rtol=1e-5, atol=1e-8)


def test_outer_products_of_a_loop_are_summed_in_one_matrix_product():
    rng = np.random.default_rng(0)
    args = (rng.uniform(0.5, 1.0, 4), rng.normal(size=4) * 0.1,
            rng.normal(size=(4, 4)) * 0.1, 6)
    text = _source(rk2, args, (1, 2))
    assert "lotka_fwd" not in text
    assert "dA_left.append(" in text and "dA_right.append(" in text
    assert "dA += np.stack(dA_left).T @ np.stack(dA_right)" in text
    _check(rk2, args, (0, 1, 2))
    _check(rk2, args[:3] + (0,), (1, 2))  # no steps: nothing to stack


def test_a_vector_written_into_after_it_is_kept_is_not_gathered():
    rng = np.random.default_rng(1)
    args = (rng.normal(size=3), rng.normal(size=(3, 3)) * 0.5, 4)
    text = _source(rewrites_outer, args, (0, 1))
    # dA's outer products pair dAx (made afresh each step) with the restored x
    assert "np.stack(dA_left)" in text
    _check(rewrites_outer, args, (0, 1))


def test_hvp_through_the_gathered_outer_products():
    rng = np.random.default_rng(0)
    args = (rng.uniform(0.5, 1.0, 4), rng.normal(size=4) * 0.1,
            rng.normal(size=(4, 4)) * 0.1, 6)
    v = (rng.normal(size=4), rng.normal(size=(4, 4)))
    hv = srcgrad.hvp(rk2, wrt=(1, 2))(*args, v)
    g = srcgrad.grad(rk2, wrt=(1, 2))
    eps = 1e-6
    gp = g(args[0], args[1] + eps * v[0], args[2] + eps * v[1], 6)
    gm = g(args[0], args[1] - eps * v[0], args[2] - eps * v[1], 6)
    for got, p, m in zip(hv, gp, gm):
        np.testing.assert_allclose(got, (p - m) / (2 * eps), rtol=1e-5, atol=1e-8)


def squash(h, a):
    return np.tanh(a * h)


def squash_hooked(h, a, n):
    for _ in range(n):
        h = squash(h, a)
        with srcgrad.grad_of(h) as dh:
            dh = dh * 0.5
    return np.sum(h)


def test_a_hook_on_the_target_of_an_inlined_call_still_runs():
    args = (X, 0.7, 3)
    g = srcgrad.grad(squash_hooked, wrt=(0, 1))(*args)
    assert "squash_fwd" not in srcgrad.source(squash_hooked, wrt=(0, 1))
    # by hand: each step's cotangent of h is halved before going through tanh
    h, hs = X, []
    for _ in range(3):
        hs.append(h)
        h = np.tanh(0.7 * h)
    dh, da = np.ones(3), 0.0
    for h0 in reversed(hs):
        dah = 0.5 * dh * (1 - np.tanh(0.7 * h0) ** 2)
        da += np.sum(dah * h0)
        dh = dah * 0.7
    np.testing.assert_allclose(g[0], dh)
    assert g[1] == pytest.approx(da)


GAIN = 0.3


def gained(x, a):
    return a * x * GAIN


def euler_gained(x, a, n):
    for _ in range(n):
        x = x + gained(x, a)
    return np.sum(x * x)


def test_a_global_an_inlined_helper_reads_is_read_again_at_every_call(monkeypatch):
    # the generated function is kept; like any global it reads, the helper's are live
    args = (X, 0.7, 3)
    g = srcgrad.grad(euler_gained, wrt=(0, 1))
    assert "gained_fwd" not in srcgrad.source(euler_gained, wrt=(0, 1))
    g(*args)
    monkeypatch.setitem(globals(), "GAIN", 1.0)
    assert_grads_close(g(*args), numeric_grad(euler_gained, args, (0, 1)), True)
    value, tangent = srcgrad.jvp(euler_gained, args, (X, 1.0, None))
    monkeypatch.setitem(globals(), "GAIN", 2.0)
    value, tangent = srcgrad.jvp(euler_gained, args, (X, 1.0, None))
    assert value == pytest.approx(euler_gained(*args))


dt = 0.05  # a global named like the adjoint of a caller's t
x_tape = 0.3  # and like the tape of its x


def timed(x, a):
    return a * np.tanh(x) * dt + x_tape * x


def euler_timed(x, a, n):
    for _ in range(n):
        t = np.sum(x) * a
        x = x + timed(x, a) * t
    return np.sum(x * x)


def test_the_globals_of_an_inlined_helper_keep_their_names_in_the_caller():
    args = (X, 0.7, 3)
    assert "timed_fwd" not in srcgrad.source(euler_timed, wrt=(0, 1))
    _check(euler_timed, args, (0, 1))
    value, tangent = srcgrad.jvp(euler_timed, args, (X, 0.5, None))
    eps = 1e-6
    plus = euler_timed(X + eps * X, 0.7 + eps * 0.5, 3)
    minus = euler_timed(X - eps * X, 0.7 - eps * 0.5, 3)
    assert tangent == pytest.approx((plus - minus) / (2 * eps), rel=1e-6)


def test_hvp_reads_a_rebound_global_again(monkeypatch):
    # forward mode over the generated reverse code: its module's globals are refreshed too
    args, v = (X, 0.7, 3), (X * 0.5, 0.3)
    hvp = srcgrad.hvp(euler_gained, wrt=(0, 1))
    hvp(*args, v)
    monkeypatch.setitem(globals(), "GAIN", 1.0)
    got = hvp(*args, v)
    g, eps = srcgrad.grad(euler_gained, wrt=(0, 1)), 1e-6
    gp = g(X + eps * v[0], 0.7 + eps * v[1], 3)
    gm = g(X - eps * v[0], 0.7 - eps * v[1], 3)
    for h, p, m in zip(got, gp, gm):
        np.testing.assert_allclose(h, (np.asarray(p) - m) / (2 * eps), rtol=1e-5, atol=1e-8)


def _cube(x):
    return x**3


@srcgrad.tangent(_cube)
def _cube_tangent(dx, ans, x):
    return 3 * x * x * dx


def cubed(x, a):
    y = a * x
    z = y * 2.0
    w = z + 1.0
    return _cube(w)


def euler_cubed(x, a, n):
    for _ in range(n):
        x = cubed(x, a) * 0.5
    return np.sum(x)


def test_an_error_in_an_inlined_helper_points_at_the_call():
    # not at the caller's line with the helper's line number (here: the return)
    with pytest.raises(srcgrad.SrcgradError) as err:
        srcgrad.grad(euler_cubed, wrt=(0, 1))(X, 0.7, 2)
    line = inspect.getsourcelines(euler_cubed)[1] + 2
    assert f"test_inline_calls.py:{line}:" in str(err.value)
    assert "x = cubed(x, a) * 0.5" in str(err.value)


def logistic(z):
    return 1.0 / (1.0 + np.exp(-z))


def _softplus(x):
    return np.log1p(np.exp(x))


def halved(x):
    logistic = np.tanh(x)  # a local named like the global an adjoint template reads
    square = logistic * logistic
    return square


def softplus_steps(x, n):
    for _ in range(n):
        x = _softplus(halved(x))
    return np.sum(x)


def test_an_inlined_local_does_not_take_the_name_of_a_global():
    from srcgrad.rules import RuleSet, library

    rules = RuleSet(parent=library())

    @srcgrad.adjoint(_softplus, rules=rules)
    def _softplus_adjoint(g, x):
        return g * logistic(x)

    text = srcgrad.source(softplus_steps, rules=rules)
    assert "halved_fwd" not in text
    g = srcgrad.grad(softplus_steps, rules=rules)(X, 3)
    assert_grads_close(g, numeric_grad(softplus_steps, (X, 3)), False)
