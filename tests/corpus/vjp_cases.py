"""Functions with non-scalar outputs, for srcgrad.vjp (pullback with a random dout)."""

import numpy as np

from .case import Case, flt, pos, vec


def elementwise_out(x):
    return np.sin(x) * x + x**2


def matvec_out(A, x):
    return A @ np.tanh(x)


def matrix_out(x, y):
    return np.outer(x, y) + np.sin(x)[:, None]


def softmax_out(x):
    e = np.exp(x - np.max(x))
    return e / np.sum(e)


def loop_stack_out(x, k):
    rows = []
    h = x
    for _ in range(4):
        h = np.tanh(k * h + 0.1)
        rows.append(h)
    return np.stack(rows)


def ode_trajectory_out(k, y0):
    y = y0
    traj = []
    for _ in range(10):
        y = y + 0.1 * (-k * y + 1.0)
        traj.append(y)
    return np.array(traj)


def writes_out(x):
    y = np.zeros_like(x)
    for i in range(len(x)):
        y[i] = x[i] * x[i - 1]
    return y


def heat_out(u0, alpha):
    u = u0.copy()
    for _ in range(10):
        u[1:-1] += alpha * (u[2:] - 2.0 * u[1:-1] + u[:-2])
    return u


def branchy_out(x):
    if np.sum(x) > 0:
        return np.cumsum(x) * 2.0
    return x[::-1] ** 2


def reduction_axis_out(M):
    return np.sum(M**2, axis=1) + np.max(M, axis=1)


CASES = [
    Case(elementwise_out, lambda rng: (vec(rng, 5),)),
    Case(matvec_out, lambda rng: (vec(rng, (3, 4)), vec(rng, 4)), wrt=(0, 1)),
    Case(matrix_out, lambda rng: (vec(rng, 3), vec(rng, 4)), wrt=("x", "y")),
    Case(softmax_out, lambda rng: (vec(rng, 5),)),
    Case(loop_stack_out, lambda rng: (vec(rng, 3), flt(rng, 0.5, 1.5)), wrt=(0, 1)),
    Case(ode_trajectory_out, lambda rng: (flt(rng, 0.5, 2.0), flt(rng)), wrt=(0, 1)),
    Case(writes_out, lambda rng: (vec(rng, 5),), autograd=False, note="in-place writes"),
    Case(heat_out, lambda rng: (vec(rng, 8), flt(rng, 0.1, 0.4)), wrt=(0, 1), autograd=False,
         note="in-place slice writes"),
    Case(branchy_out, lambda rng: (pos(rng, 4),)),
    Case(reduction_axis_out, lambda rng: (np.linspace(-1, 1, 12)[rng.permutation(12)]
                                          .reshape(3, 4),)),
]
