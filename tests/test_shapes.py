"""Shape terms: ``rt.unbroadcast`` is left out only where shapes are known equal."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from gradcheck import assert_grads_close, numeric_grad

import srcgrad
from srcgrad import api


def stencil(u, r, n):
    for _ in range(n):
        interior = u[1:-1] + r * (u[2:] - 2.0 * u[1:-1] + u[:-2])
        u = np.concatenate((u[:1], interior, u[-1:]))
    return np.sum(u * u * np.arange(u.shape[0]))


def shrinking(x, w):
    y = x
    for _ in range(3):
        z = np.maximum(y[1:], 0.1) * w  # w broadcasts: a (k, 1) or scalar weight
        y = z - y[:-1]
    return np.sum(y * y)


def broadcast_rows(x, b):
    y = x[1:] + x[:1]  # (n-1, m) + (1, m): the second operand is broadcast
    z = y * b
    return np.sum(np.tanh(z))


def branches(x, flag):
    if flag > 0:
        y = x[1:]
    else:
        y = x[:1]
    return np.sum((y + x[:-1]) ** 2)


def _source(f, args, wrt):
    """The code ``srcgrad.grad(f, wrt)(*args)`` runs (specialized for scalar arguments)."""
    params = list(inspect.signature(f).parameters)
    kinds = api._arg_kinds(params, args)
    return api.generate(f, [params[i] for i in wrt], scalar_params=kinds[0],
                        list_params=kinds[1]).text


def test_stencil_needs_no_unbroadcast():
    rng = np.random.default_rng(0)
    args = (rng.normal(size=9), 0.2, 3)
    text = _source(stencil, args, (0, 1))
    loop = text[text.index("for _ in reversed"):]
    # only the sum down to the scalar r is left
    assert loop.count("rt.unbroadcast(") == 1 and "rt.unbroadcast(dr_" in loop
    # and the slices are no longer recorded for their shapes
    assert "tape.append((diff_u_plus_u_0_m2, t))" in text
    g = srcgrad.grad(stencil, wrt=(0, 1))(*args)
    assert_grads_close(g, numeric_grad(stencil, args, (0, 1)), True)


@pytest.mark.parametrize("w", [np.full((1, 1), 0.7), 1.3, np.array([[0.5], [1.5], [0.9], [2.0],
                                                                    [1.1], [0.3]])[:1]])
def test_shapes_that_change_or_broadcast(w):
    rng = np.random.default_rng(1)
    args = (rng.normal(size=(6, 2)), w)
    g = srcgrad.grad(shrinking, wrt=(0, 1))(*args)
    assert_grads_close(g, numeric_grad(shrinking, args, (0, 1)), True)


def test_broadcast_operand_keeps_its_unbroadcast():
    rng = np.random.default_rng(2)
    args = (rng.normal(size=(4, 3)), rng.normal(size=3))
    text = _source(broadcast_rows, args, (0, 1))
    assert "rt.unbroadcast(dy, x_0_1)" in text
    g = srcgrad.grad(broadcast_rows, wrt=(0, 1))(*args)
    assert_grads_close(g, numeric_grad(broadcast_rows, args, (0, 1)), True)


@pytest.mark.parametrize("flag", [1.0, -1.0])
def test_shapes_after_a_branch(flag):
    rng = np.random.default_rng(3)
    args = (rng.normal(size=5), flag)
    g = srcgrad.grad(branches, wrt=0)(*args)
    assert_grads_close(g, numeric_grad(branches, args, 0), False)
