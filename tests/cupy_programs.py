"""Programs written against cupy, for tests/test_cupy_programs.py and tests/test_cupy.py.

Importing this module needs ``import cupy`` to work: real cupy, or the fake
of tests/fakecupy.py inside ``fakecupy.installed()``. The arguments of each
are in tests/device_check.py (``PROGRAMS``).
"""

import cupy as cp
from cupy import linalg as la
from cupy import tanh


def mlp(W1, b1, W2, x, y):
    h = cp.tanh(W1 @ x + b1)
    out = W2 @ h
    return cp.mean((out - y) ** 2)


def elementwise(x):
    return cp.sum(cp.sin(x) * cp.exp(-x * x) + cp.log1p(x * x) + cp.sqrt(cp.abs(x) + 1.0))


def reductions(M):
    s = cp.sum(M, axis=0, keepdims=True)
    m = cp.max(M, axis=1)
    v = cp.var(M, axis=-1)
    return cp.sum(s * s) + cp.sum(m) + cp.mean(v) + cp.linalg.norm(M)


def solve_system(A, b):
    x = la.solve(A, b)
    y = cp.linalg.solve(A.T @ A + cp.eye(A.shape[0]), x)
    return cp.sum(x * y)


def recurrence(W, h0, steps):
    h = h0
    for _ in range(steps):
        h = cp.tanh(W @ h) + 0.1 * h
    return cp.sum(h * h)


def scatter(x, idx):
    y = cp.zeros_like(x)
    y[idx] = x[idx] * 2.0
    y[0] = y[0] + x[1]
    return cp.sum(y * x)


def writes_argument(x):
    x[0] = x[0] * 3.0
    x[1:] = cp.tanh(x[1:])
    return cp.sum(x * x)


def joins(a, b):
    c = cp.concatenate([a, b * 2.0])
    d = cp.stack([a, b], axis=1)
    e = cp.einsum("ij,ik->jk", d, d)
    return cp.sum(c * c) + cp.sum(e * e) + cp.sum(d.reshape(-1) * cp.arange(d.size))


def branchy(x):
    s = cp.sum(x)
    if s > 0:
        y = x * s
    else:
        y = -x
    n = 0
    while cp.max(cp.abs(y)) > 0.1:
        y = y * 0.5
        n = n + 1
    return cp.sum(y * y) + n


def picks(x, y):
    return cp.sum(cp.maximum(x, y) * cp.where(x > 0, x, y)) + cp.sum(cp.clip(x, -0.5, 0.5))


def scalar_param(x, k):
    return cp.sum(cp.exp(k * x)) * k


def imported_by_name(x):
    return cp.sum(tanh(x) * x)


def without_rule(x):
    return cp.sum(cp.fft.fft(x).real)
