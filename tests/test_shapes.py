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
                        list_params=kinds[1], shape_params=kinds[2]).text


def test_stencil_needs_no_unbroadcast():
    rng = np.random.default_rng(0)
    args = (rng.normal(size=9), 0.2, 3)
    text = _source(stencil, args, (0, 1))
    loop = text[text.index("for diff_u_plus_u_0_m2 in reversed(diff_u_plus_u_0_m2_tape):"):]
    # no shape bookkeeping is left: the sum down to the scalar r is a dot product
    assert "unbroadcast" not in loop and "dr += dinterior @ diff_u_plus_u_0_m2" in loop
    # the concatenation is split by known lengths, the new cotangent shaped like
    # the one just retired: only the difference is recorded, nothing for shapes
    assert "dinterior = du[1:-1]" in loop and "du = rt.zeros_like(du)" in loop
    assert text.count(".append(") == 1 and \
        "diff_u_plus_u_0_m2_tape.append(diff_u_plus_u_0_m2)" in text
    g = srcgrad.grad(stencil, wrt=(0, 1))(*args)
    assert_grads_close(g, numeric_grad(stencil, args, (0, 1)), True)


def test_slices_agree_without_known_shapes():
    text = srcgrad.source(stencil, wrt=(0, 1))
    # u[2:], u[1:-1] and u[:-2] have the same length whatever u is
    assert "du[2:] += ddiff_u_plus_u_0_m2" in text and "u_2_end" not in text


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
    assert "dx_0_1 = dy.sum(axis=0, keepdims=True)" in text
    g = srcgrad.grad(broadcast_rows, wrt=(0, 1))(*args)
    assert_grads_close(g, numeric_grad(broadcast_rows, args, (0, 1)), True)


@pytest.mark.parametrize("flag", [1.0, -1.0])
def test_shapes_after_a_branch(flag):
    rng = np.random.default_rng(3)
    args = (rng.normal(size=5), flag)
    g = srcgrad.grad(branches, wrt=0)(*args)
    assert_grads_close(g, numeric_grad(branches, args, 0), False)


def rate(x, r, A):
    return x * (r + A @ x)


def integrate(x, r, A, dt, n):
    for _ in range(n):
        k1 = rate(x, r, A)
        k2 = rate(x + dt * k1, r, A)
        x = x + 0.5 * dt * (k1 + k2)
    return np.sum(x * x)


def test_array_shapes_reach_helpers():
    rng = np.random.default_rng(4)
    m = 4
    args = (rng.uniform(0.5, 1.0, m), rng.uniform(size=m), -np.eye(m) + 0.1 * rng.normal(
        size=(m, m)), 0.05, 5)
    text = _source(integrate, args, (1, 2))
    assert "Specialized for array shapes x (n0,), r (n0,), A (n0, n0)." in text
    assert "unbroadcast" not in text
    g = srcgrad.grad(integrate, wrt=(1, 2))(*args)
    assert_grads_close(g, numeric_grad(integrate, args, (1, 2)), True)
    # other sizes, same pattern: the same code
    before = len(api._CACHE)
    m = 3
    args = (rng.uniform(0.5, 1.0, m), rng.uniform(size=m), -np.eye(m), 0.05, 5)
    g = srcgrad.grad(integrate, wrt=(1, 2))(*args)
    assert len(api._CACHE) == before
    assert_grads_close(g, numeric_grad(integrate, args, (1, 2)), True)


def affine(X, W, b, c):
    z = X @ W + b  # b: (n,) broadcast over rows
    return np.sum(np.tanh(z) * c)  # c: (k, 1) broadcast over columns


@pytest.mark.parametrize("rows", [1, 3])
def test_known_shapes_that_broadcast(rows):
    rng = np.random.default_rng(5)
    args = (rng.normal(size=(rows, 2)), rng.normal(size=(2, 3)), rng.normal(size=3),
            rng.normal(size=(rows, 1)))
    text = _source(affine, args, (1, 2, 3))
    assert "dW = X.T @ dz" in text  # X @ W has the shape of z; the ranks are known
    # the broadcast operands are summed over the axes they were broadcast along
    assert "db = dz.sum(axis=0)" in text
    assert "dc = (dtanh_z_c * tanh_z).sum(axis=1, keepdims=True)" in text
    g = srcgrad.grad(affine, wrt=(1, 2, 3))(*args)
    assert_grads_close(g, numeric_grad(affine, args, (1, 2, 3)), True)


def mixed(x, y):
    return np.sum(np.sin(x * y))


def test_leading_and_size_one_axes_together():
    rng = np.random.default_rng(6)
    args = (rng.normal(size=(2, 3, 4)), rng.normal(size=(3, 1)))
    text = _source(mixed, args, (0, 1))
    assert "dy = rt.unbroadcast(" in text and "dx = " in text and "dx = rt.unbroadcast" not in text
    g = srcgrad.grad(mixed, wrt=(0, 1))(*args)
    assert_grads_close(g, numeric_grad(mixed, args, (0, 1)), True)


def bilinear(a, b, c):
    return np.sum(np.sin(a @ b) * c)


@pytest.mark.parametrize("sa, sb", [((3, 2), (2, 4)), ((3, 2), (2,)), ((2,), (2, 4)),
                                    ((2,), (2,)), ((2, 3, 2), (2, 4))])
def test_matmul_cotangents_by_rank(sa, sb):
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=sa), rng.normal(size=sb)
    args = (a, b, rng.normal(size=np.shape(a @ b)))
    text = _source(bilinear, args, (0, 1))
    assert ("matmul_grad" in text) == (len(sa) > 2)  # stacks keep the runtime's dispatch
    g = srcgrad.grad(bilinear, wrt=(0, 1))(*args)
    assert_grads_close(g, numeric_grad(bilinear, args, (0, 1)), True)


def joined(x, y):
    z = np.concatenate((x[:2], y * 2.0, x[-1:], x[1:]))
    return np.sum(np.sin(z) * np.arange(z.shape[0]).reshape((-1,) + (1,) * (z.ndim - 1)))


def joined_fixed(x, y):
    z = np.concatenate((x[:2], x[-1:], y))
    return np.sum(np.sin(z) * np.arange(z.shape[0]))


@pytest.mark.parametrize("f, sx, sy", [(joined, (5,), (4,)), (joined, (5, 2), (3, 2)),
                                       (joined_fixed, (4,), (1,)), (joined, (5,), (1,))])
def test_concatenate_cotangents_by_length(f, sx, sy):
    rng = np.random.default_rng(8)
    args = (rng.normal(size=sx), rng.normal(size=sy))
    text = _source(f, args, (0, 1))
    # at most one length unknown: slices; two (x[1:] and y): the runtime splits
    assert ("concatenate_grad" in text) == (f is joined and sy[0] > 1)
    g = srcgrad.grad(f, wrt=(0, 1))(*args)
    assert_grads_close(g, numeric_grad(f, args, (0, 1)), True)


def scaled(w, x):
    return np.sum(np.sin(w * x))


@pytest.mark.parametrize("sx", [(5,), (2, 3)])
def test_scalar_times_array_sums_by_dot_product(sx):
    rng = np.random.default_rng(9)
    args = (0.7, rng.normal(size=sx))
    text = _source(scaled, args, (0, 1))
    assert ("dw = dwx @ x" in text) == (len(sx) == 1)
    g = srcgrad.grad(scaled, wrt=(0, 1))(*args)
    assert_grads_close(g, numeric_grad(scaled, args, (0, 1)), True)


def ends(x):
    inner = x[1:-1].sum()
    return np.sum(np.sin(x[:1]) * inner + np.cos(x[-1:]))


@pytest.mark.parametrize("n", [1, 2, 5])
def test_writes_into_fresh_zeros(n):
    args = (np.linspace(0.2, 0.9, n),)
    text = _source(ends, args, (0,))
    # the ends and the inside are disjoint when there are two or more elements:
    # all three writes assign; with one element the two ends are the same one
    assert "dx[-1:] = " in text and "dx[1:-1] = " in text
    assert ("dx[:1] += " in text) == (n == 1)
    g = srcgrad.grad(ends)(*args)
    assert_grads_close(g, numeric_grad(ends, args, 0), False)


def scaled_mask(x, c):
    return np.sum(c * (x > 0.1) * x)


def scaled_named_mask(x, c):
    m = x > 0.1
    return np.sum(c * m) + c * (c > 0.5)


def test_a_comparison_of_arrays_is_an_array():
    # c * (x > 0.1) has x's shape: c's cotangent is summed, not an array
    x = np.array([0.3, -0.2, 0.5])
    for f in (scaled_mask, scaled_named_mask):
        g = srcgrad.grad(f, wrt=1)(x, 0.7)
        assert isinstance(g, float)
        assert_grads_close(g, numeric_grad(f, (x, 0.7), 1), False)


def where_of_scalars(c, m):
    return np.sum(np.where(m, c, c * 2.0))


def where_under_wide_mask(x, threshold):
    mask = x > threshold
    return np.sum(np.where(mask, x * x, 0.0))


def test_the_condition_of_where_widens_its_result():
    # where(m, c, 2c) has m's shape though c is a float; a mask wider than x
    # makes the result wider than x
    m = np.array([True, False, True])
    g = srcgrad.grad(where_of_scalars)(0.7, m)
    assert isinstance(g, float)
    assert_grads_close(g, numeric_grad(where_of_scalars, (0.7, m), 0), False)
    x, th = np.array([0.3, 0.9, 0.5, 0.7]), np.array([[0.4], [0.6]])
    g = srcgrad.grad(where_under_wide_mask)(x, th)
    assert_grads_close(g, numeric_grad(where_under_wide_mask, (x, th), 0), False)


def growth(p, x0, n):
    rate = np.exp(p[0])
    x = x0
    for _ in range(n):
        x = x + 0.1 * rate * x * (1.0 - x)
    return x * x


def test_a_python_number_that_becomes_0d_in_a_loop_is_0d_throughout():
    # x enters as a Python float and leaves each pass as a numpy float64: the
    # loop's code still knows its shape, so nothing is unbroadcast or kept for it
    args = (np.array([0.3]), 0.2, 6)
    text = _source(growth, args, (0, 1))
    loop = text[text.index("for "):text.index("return (out")]
    assert "unbroadcast" not in loop
    g = srcgrad.grad(growth, wrt=(0, 1))(*args)
    assert_grads_close(g, numeric_grad(growth, args, (0, 1)), True)
    assert type(g[1]) is float
