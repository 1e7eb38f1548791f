"""Loops whose saved values get lists of their own, walked backwards (``looptapes.py``).

Each case checks the shape of the generated code (which loops are rewritten,
and how) and the gradient against finite differences.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from corpus.writes import write_at_counter_then_rebind as writes_into_restored
from gradcheck import assert_grads_close, numeric_grad

import srcgrad


def recurrence(a, x, n):
    for _ in range(n):
        x = x + 0.1 * (a * math.sin(x) - x)
    return x * x


def weighted_product(s, w):
    for i in range(w.shape[0]):
        s = s * w[i] + 0.5
    return np.sum(s * s)


def tanh_chain(h, w):
    for _ in range(4):
        h = np.tanh(h * w)
    return np.sum(h)


def branchy(x, n):
    for k in range(n):
        if k % 2 == 0:
            x = np.sin(x)
        else:
            x = x * 1.5
    return np.sum(x)


def newton(a):
    x = a
    while abs(x * x - a) > 1e-10:
        x = 0.5 * (x + a / x)
    return x


def with_break(x):
    for k in range(10):
        x = np.cos(x)
        if k == 4:
            break
    return np.sum(x)


def nested(x, n):
    for _ in range(n):
        for _ in range(2):
            x = np.sin(x) + x
    return np.sum(x)


def steps(x, a, n):
    for _ in range(n):
        x = x + 0.1 * np.sin(a * x)
    return x


def calls_steps(x, a):
    for _ in range(3):
        x = steps(x, a, 2) * 0.9
    return np.sum(x * x)


def returns_carried(x, n):
    for _ in range(n):
        x = x * 0.9 + 0.1
    return x


def _check(f, args, wrt):
    g = srcgrad.grad(f, wrt=wrt)(*args)
    assert_grads_close(g, numeric_grad(f, args, wrt), isinstance(wrt, tuple))


def test_scalar_recurrence_walks_its_list_backwards():
    text = srcgrad.source(recurrence, wrt=(0, 1))
    assert "\n    tape = []" not in text and ".pop()" not in text
    assert "x_tape.append(x)" in text and "reversed(x_tape)" in text
    _check(recurrence, (1.3, 0.7, 20), (0, 1))


def test_the_index_is_kept_where_the_reversed_body_reads_it():
    text = srcgrad.source(weighted_product, wrt=(0, 1))
    assert "for i, w_i, s in zip(reversed(range(" in text and "reversed(s_tape)" in text
    rng = np.random.default_rng(0)
    _check(weighted_product, (rng.normal(size=3), rng.uniform(0.5, 1.5, size=(5, 3))), (0, 1))


def test_a_value_read_before_its_restore_gets_a_name_of_its_own():
    text = srcgrad.source(tanh_chain, wrt=(0, 1))
    # the adjoint of h = tanh(h * w) reads the new h first, then the old one
    assert "for h_prev in reversed(h_tape):" in text and "h = h_prev" in text
    rng = np.random.default_rng(1)
    _check(tanh_chain, (rng.normal(size=4), rng.normal(size=4)), (0, 1))


def test_saves_inside_a_branch_stay_on_the_shared_tape():
    text = srcgrad.source(branchy)
    assert "tape = []" in text and "tape.pop()" in text
    _check(branchy, (np.array([0.3, -0.2, 0.9]), 5), 0)


def test_a_while_loop_stops_counting_its_trips():
    text = srcgrad.source(newton)
    assert "n_iter" not in text and "zip(reversed(" in text
    _check(newton, (2.0,), 0)


def test_a_loop_that_can_break_keeps_popping():
    text = srcgrad.source(with_break)
    assert "tape.pop()" in text
    _check(with_break, (np.array([0.3, 1.1]),), 0)


def test_an_inner_loop_gets_lists_afresh_in_each_pass_of_the_outer_one():
    text = srcgrad.source(nested)
    # the inner list is a value of each outer pass, on a list of its own too
    assert "\n    tape = []" not in text and ".pop()" not in text
    assert "        x_tape = []\n" in text and "x_tapes.append(x_tape)" in text
    assert "for x_tape in reversed(x_tapes):" in text and "for x in reversed(x_tape):" in text
    _check(nested, (np.array([0.3, -0.4]), 3), 0)


def inner_while(x, n):
    for k in range(n):
        i = 0
        while i < k + 1:
            x = np.cos(x) * 0.9 + 0.1 * x
            i += 1
    return np.sum(x * x)


def inner_branch(x, n):
    for _ in range(n):
        for k in range(3):
            if k == 1:
                x = np.sin(x)
            x = x * 1.1
    return np.sum(x)


def three_deep(x, w):
    for _ in range(2):
        for j in range(2):
            for _ in range(2):
                x = np.tanh(x * w[j])
    return np.sum(x)


def calls_nested(x, a):
    for _ in range(2):
        x = nested(x * a, 2)
    return x * x


@pytest.mark.parametrize("f, args, wrt", [
    (inner_while, (np.array([0.3, -0.4]), 3), 0),
    (inner_branch, (np.array([0.3, -0.4]), 2), 0),
    (three_deep, (np.array([0.3, -0.4]), np.array([0.9, 1.2])), (0, 1)),
    (calls_nested, (np.array([0.3, -0.4]), 0.8), (0, 1)),
])
def test_nested_loops(f, args, wrt):
    _check(f, args, wrt)
    # forward mode over the generated code: hvp against differences of the gradient
    v = np.array([1.0, 0.5])
    hv = srcgrad.hvp(f, 0)(*args, v)
    g = srcgrad.grad(f, 0)
    eps = 1e-6
    plus = (args[0] + eps * v,) + tuple(args[1:])
    minus = (args[0] - eps * v,) + tuple(args[1:])
    np.testing.assert_allclose(hv, (g(*plus) - g(*minus)) / (2 * eps), rtol=1e-5, atol=1e-8)


def test_an_inner_while_loop_stops_counting():
    text = srcgrad.source(inner_while)
    assert "n_iter" not in text and "for x in reversed(x_tape):" in text


def test_an_inner_loop_that_saves_in_a_branch_keeps_the_shared_tape():
    text = srcgrad.source(inner_branch)
    assert "tape.pop()" in text


def test_a_callee_returns_its_lists_with_its_saved_values():
    text = srcgrad.source(calls_steps, wrt=(0, 1))
    fwd = text[text.index("def steps_fwd"):text.index("def steps_bwd")]
    # only the lists and what the reversed loop reads before binding it
    assert "x_tape = []" in fwd and "return (value, (x_tape, locals_tape, a))" in fwd
    rng = np.random.default_rng(2)
    _check(calls_steps, (rng.normal(size=3), rng.normal(size=3)), (0, 1))


def test_the_value_returned_is_not_a_restored_one():
    # the reversed loop binds x to old values: the result must be kept first
    f = srcgrad.value_and_grad(returns_carried)
    value, g = f(2.0, 5)
    assert value == pytest.approx(returns_carried(2.0, 5))
    assert g == pytest.approx(0.9 ** 5)


def test_a_restored_array_written_into_is_popped():
    # a value left on its list after being written into would change under
    # the list; pop takes it off
    text = srcgrad.source(writes_into_restored)
    assert "t[k] = tape.pop()" in text
    _check(writes_into_restored, (np.array([0.3, -0.2, 0.9, 0.4]),), 0)


def test_second_order_through_rewritten_loops():
    # forward mode reads the generated reverse loops (zip over reversed lists)
    hv = srcgrad.hvp(recurrence, wrt=0)(1.3, 0.7, 8, 1.0)
    g = srcgrad.grad(recurrence, wrt=0)
    eps = 1e-5
    fd = (g(1.3 + eps, 0.7, 8) - g(1.3 - eps, 0.7, 8)) / (2 * eps)
    assert hv == pytest.approx(fd, rel=1e-5)


def restored_for_later(x, n):
    # the loop adds a constant: its reverse only takes back a and b for y's adjoint
    a = x * 2.0
    b = x * 3.0
    y = a * b * x
    for _ in range(n):
        a = a + 1.0
        b = b + 0.5
    return y * a


def test_a_loop_with_nothing_to_do_backwards_takes_back_the_first_values():
    text = srcgrad.source(restored_for_later)
    # not ``for b, a in zip(reversed(b_tape), reversed(a_tape)): pass``
    assert "reversed(" not in text
    assert "if b_tape:\n        b = b_tape[0]\n        a = a_tape[0]" in text
    for n in (0, 3):
        _check(restored_for_later, (0.7, n), 0)
        hv = srcgrad.hvp(restored_for_later)(0.7, n, 1.0)
        g = srcgrad.grad(restored_for_later)
        assert hv == pytest.approx((g(0.7 + 1e-5, n) - g(0.7 - 1e-5, n)) / 2e-5, rel=1e-6)


def scaled_while(h, x, w, n):
    i = 0
    while i < n:
        h = h * w[i] * 0.5 + x * w[i]
        i += 1
    return np.sum(h * h)


@pytest.mark.parametrize("n", [0, 1, 3])
def test_second_order_when_the_loop_runs_no_times(n):
    # the reversed loop binds w_i from its list before reading it: no tangent of
    # w_i is made before the loop, where w_i may not exist
    h, x, w = np.array([0.3, 0.5]), np.array([0.2, -0.1]), np.array([0.7, 1.1, 0.9])
    v = np.array([1.0, 0.5])
    hv = srcgrad.hvp(scaled_while, 0)(h, x, w, n, v)
    g = srcgrad.grad(scaled_while, 0)
    eps = 1e-6
    fd = (g(h + eps * v, x, w, n) - g(h - eps * v, x, w, n)) / (2 * eps)
    np.testing.assert_allclose(hv, fd, rtol=1e-6, atol=1e-9)


def shrink(p, q, x, n):
    for _ in range(n):
        x = (x + p) / (2.0 + q * q)
    return x * x


def test_a_value_the_same_in_every_pass_is_not_saved_even_when_computed_in_steps():
    # 2.0 + q * q is q * q, then 2.0 plus it: both the same in every pass
    text = srcgrad.source(shrink, wrt=(0, 1, 2))
    assert "two_plus_qq_tape" not in text and "locals_tape" not in text
    _check(shrink, (0.3, 0.8, 0.5, 6), (0, 1, 2))
    _check(shrink, (0.3, 0.8, 0.5, 0), (0, 1, 2))
