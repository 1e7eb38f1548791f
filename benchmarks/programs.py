"""The benchmark programs.

Each program has three parts:

- a forward function, written the way a numerical programmer would write it
  (plain numpy / math, loops over ``range``, a scalar result).  These are the
  functions handed to ``srcgrad.grad``, so they live at module level in this
  file and use only the language srcgrad supports;
- a hand-written reverse-mode gradient with the forward function's signature,
  returning one gradient per entry of the program's ``wrt`` (as a tuple, in
  ``wrt`` order, the way ``srcgrad.grad(f, wrt=<tuple>)`` returns them).  It is
  the fast code a careful person writes by hand: the forward pass keeps what
  the backward pass needs in a list, the backward pass walks it in reverse;
- an input factory ``make_inputs(size, seed=0)`` returning the positional
  arguments, for ``size`` one of ``"full"`` (the benchmark), ``"quick"`` (the
  CI smoke run) or ``"small"`` (finite-difference tests).

``PROGRAMS`` lists them in the order the benchmark reports them.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Callable

import numpy as np

SIZES = ("full", "quick", "small")


@dataclasses.dataclass(frozen=True)
class Program:
    name: str
    description: str
    forward: Callable
    hand_grad: Callable
    make_inputs: Callable  # (size, seed=0) -> tuple of positional arguments
    wrt: tuple  # parameter indices the gradient is taken with respect to
    has_loop: bool  # a loop program: the gradient/forward <= 3 target applies


def _check_size(size):
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}, not {size!r}")


# ---------------------------------------------------------------------------
# 1. Scalar recurrence: x <- x + h * (a sin x - b x), Python floats.
# ---------------------------------------------------------------------------


def recurrence(a, b, x0, h, n):
    x = x0
    for _ in range(n):
        x = x + h * (a * math.sin(x) - b * x)
    return x * x


def recurrence_grad(a, b, x0, h, n):
    x = x0
    xs = []
    for _ in range(n):
        xs.append(x)
        x = x + h * (a * math.sin(x) - b * x)
    gx = 2.0 * x
    ga = 0.0
    gb = 0.0
    for xi in reversed(xs):
        hg = h * gx
        ga += hg * math.sin(xi)
        gb -= hg * xi
        gx += hg * (a * math.cos(xi) - b)
    return ga, gb, gx


def recurrence_inputs(size, seed=0):
    _check_size(size)
    n = {"full": 10_000, "quick": 1_000, "small": 40}[size]
    h = {"full": 0.001, "quick": 0.01, "small": 0.05}[size]
    return (1.3, 0.4, 0.7, h, n)


# ---------------------------------------------------------------------------
# 2. RK4 integration of a generalised Lotka-Volterra system dx/dt = x (r + A x).
# ---------------------------------------------------------------------------


def lotka_volterra(x, r, A):
    return x * (r + A @ x)


def rk4_lv(x0, r, A, target, dt, n_steps):
    x = x0
    for _ in range(n_steps):
        k1 = lotka_volterra(x, r, A)
        k2 = lotka_volterra(x + 0.5 * dt * k1, r, A)
        k3 = lotka_volterra(x + 0.5 * dt * k2, r, A)
        k4 = lotka_volterra(x + dt * k3, r, A)
        x = x + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    d = x - target
    return np.sum(d**2)


def rk4_lv_grad(x0, r, A, target, dt, n_steps):
    half = 0.5 * dt
    sixth = dt / 6.0
    tape = []
    x = x0
    for _ in range(n_steps):
        z1 = r + A @ x
        k1 = x * z1
        x2 = x + half * k1
        z2 = r + A @ x2
        k2 = x2 * z2
        x3 = x + half * k2
        z3 = r + A @ x3
        k3 = x3 * z3
        x4 = x + dt * k3
        z4 = r + A @ x4
        k4 = x4 * z4
        tape.append((x, z1, x2, z2, x3, z3, x4, z4))
        x = x + sixth * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    gx = 2.0 * (x - target)
    # Each stage k = xs * (r + A @ xs) has d/dxs = gk * z + (gk * xs) @ A,
    # d/dr = gk * xs and d/dA = outer(gk * xs, xs).  The parameter gradients
    # are sums over all stages: collect the u = gk * xs and reduce them once.
    us = []
    stage_xs = []
    for x1, z1, x2, z2, x3, z3, x4, z4 in reversed(tape):
        c = sixth * gx
        u4 = c * x4
        g4 = c * z4 + u4 @ A
        gk3 = 2.0 * c + dt * g4
        u3 = gk3 * x3
        g3 = gk3 * z3 + u3 @ A
        gk2 = 2.0 * c + half * g3
        u2 = gk2 * x2
        g2 = gk2 * z2 + u2 @ A
        gk1 = c + half * g2
        u1 = gk1 * x1
        gx = gx + g4 + g3 + g2 + gk1 * z1 + u1 @ A
        us += (u1, u2, u3, u4)
        stage_xs += (x1, x2, x3, x4)
    U = np.array(us)
    return U.sum(axis=0), U.T @ np.array(stage_xs)


def rk4_lv_inputs(size, seed=0):
    _check_size(size)
    rng = np.random.default_rng(seed)
    m = {"full": 6, "quick": 4, "small": 3}[size]
    n_steps = {"full": 1_000, "quick": 100, "small": 15}[size]
    dt = {"full": 0.01, "quick": 0.05, "small": 0.1}[size]
    x0 = rng.uniform(0.5, 1.5, m)
    r = rng.uniform(0.5, 1.0, m)
    # Self-limiting species with weak interactions: a stable coexistence point.
    A = -np.eye(m) + 0.2 * rng.uniform(-1.0, 1.0, (m, m)) / m
    target = rng.uniform(0.5, 1.0, m)
    return (x0, r, A, target, dt, n_steps)


# ---------------------------------------------------------------------------
# 3. Unrolled RNN: h <- tanh(h W + x_t U + b), linear readout, mean squared error.
# ---------------------------------------------------------------------------


def rnn(W, U, b, V, h0, xs, target):
    h = h0
    for t in range(len(xs)):
        h = np.tanh(h @ W + xs[t] @ U + b)
    d = h @ V - target
    return np.mean(d**2)


def rnn_grad(W, U, b, V, h0, xs, target):
    n_steps = len(xs)
    hs = [h0]
    h = h0
    for t in range(n_steps):
        h = np.tanh(h @ W + xs[t] @ U + b)
        hs.append(h)
    d = h @ V - target
    gy = (2.0 / d.size) * d
    gV = h.T @ gy
    gh = gy @ V.T
    gW = np.zeros_like(W)
    gU = np.zeros_like(U)
    gb = np.zeros_like(b)
    for t in range(n_steps - 1, -1, -1):
        hn = hs[t + 1]
        gz = gh * (1.0 - hn * hn)
        gW += hs[t].T @ gz
        gU += xs[t].T @ gz
        gb += gz.sum(axis=0)
        gh = gz @ W.T
    return gW, gU, gb, gV


def rnn_inputs(size, seed=0):
    _check_size(size)
    rng = np.random.default_rng(seed)
    # steps, batch, input width, hidden width, output width
    T, B, D, H, O = {
        "full": (50, 32, 32, 64, 8),
        "quick": (10, 8, 8, 16, 4),
        "small": (4, 3, 3, 5, 2),
    }[size]
    W = rng.normal(0.0, 0.9 / math.sqrt(H), (H, H))
    U = rng.normal(0.0, 1.0 / math.sqrt(D), (D, H))
    b = rng.normal(0.0, 0.1, H)
    V = rng.normal(0.0, 1.0 / math.sqrt(H), (H, O))
    h0 = np.zeros((B, H))
    xs = rng.normal(0.0, 1.0, (T, B, D))
    target = rng.normal(0.0, 1.0, (B, O))
    return (W, U, b, V, h0, xs, target)


# ---------------------------------------------------------------------------
# 4. Heat equation, explicit finite differences, fixed (Dirichlet) boundaries.
# ---------------------------------------------------------------------------


def heat(u0, r, target, n_steps):
    u = u0
    for _ in range(n_steps):
        interior = u[1:-1] + r * (u[2:] - 2.0 * u[1:-1] + u[:-2])
        u = np.concatenate((u[:1], interior, u[-1:]))
    d = u - target
    return np.sum(d * d)


def heat_grad(u0, r, target, n_steps):
    u = u0
    laps = []
    for _ in range(n_steps):
        lap = u[2:] - 2.0 * u[1:-1] + u[:-2]
        laps.append(lap)
        u = np.concatenate((u[:1], u[1:-1] + r * lap, u[-1:]))
    g = 2.0 * (u - target)
    gr = 0.0
    c = 1.0 - 2.0 * r
    for k in range(n_steps - 1, -1, -1):
        gi = g[1:-1]
        gr += float(np.dot(gi, laps[k]))
        # Transpose of the stencil; the boundary values pass straight through.
        rg = r * gi
        gp = np.empty_like(g)
        gp[0] = g[0]
        gp[-1] = g[-1]
        gp[1:-1] = c * gi
        gp[2:] += rg
        gp[:-2] += rg
        g = gp
    return g, gr


def heat_inputs(size, seed=0):
    _check_size(size)
    rng = np.random.default_rng(seed)
    n_grid, n_steps = {"full": (1_000, 200), "quick": (200, 40), "small": (12, 6)}[size]
    xgrid = np.linspace(0.0, 1.0, n_grid)
    u0 = np.sin(math.pi * xgrid) + 0.1 * rng.normal(0.0, 1.0, n_grid)
    target = 0.5 * np.sin(math.pi * xgrid)
    return (u0, 0.23, target, n_steps)


# ---------------------------------------------------------------------------
# 5. MLP: tanh then relu hidden layers, linear output, mean squared error.
# ---------------------------------------------------------------------------


def mlp(W1, b1, W2, b2, W3, b3, X, Y):
    h1 = np.tanh(X @ W1 + b1)
    h2 = np.maximum(h1 @ W2 + b2, 0.0)
    out = h2 @ W3 + b3
    d = out - Y
    return np.mean(d**2)


def mlp_grad(W1, b1, W2, b2, W3, b3, X, Y):
    h1 = np.tanh(X @ W1 + b1)
    z2 = h1 @ W2 + b2
    h2 = np.maximum(z2, 0.0)
    d = h2 @ W3 + b3 - Y
    gout = (2.0 / d.size) * d
    gW3 = h2.T @ gout
    gb3 = gout.sum(axis=0)
    gz2 = (gout @ W3.T) * (z2 > 0.0)
    gW2 = h1.T @ gz2
    gb2 = gz2.sum(axis=0)
    gz1 = (gz2 @ W2.T) * (1.0 - h1 * h1)
    gW1 = X.T @ gz1
    gb1 = gz1.sum(axis=0)
    return gW1, gb1, gW2, gb2, gW3, gb3


def mlp_inputs(size, seed=0):
    _check_size(size)
    rng = np.random.default_rng(seed)
    # batch, input width, hidden widths, output width
    B, D, H1, H2, O = {
        "full": (256, 64, 128, 128, 10),
        "quick": (32, 16, 32, 32, 4),
        "small": (5, 3, 4, 4, 2),
    }[size]
    W1 = rng.normal(0.0, 1.0 / math.sqrt(D), (D, H1))
    b1 = rng.normal(0.0, 0.1, H1)
    W2 = rng.normal(0.0, 1.0 / math.sqrt(H1), (H1, H2))
    b2 = rng.normal(0.0, 0.1, H2)
    W3 = rng.normal(0.0, 1.0 / math.sqrt(H2), (H2, O))
    b3 = rng.normal(0.0, 0.1, O)
    X = rng.normal(0.0, 1.0, (B, D))
    Y = rng.normal(0.0, 1.0, (B, O))
    return (W1, b1, W2, b2, W3, b3, X, Y)


PROGRAMS = (
    Program(
        "recurrence",
        "scalar recurrence x += h*(a sin x - b x), floats; d/d(a, b, x0)",
        recurrence,
        recurrence_grad,
        recurrence_inputs,
        wrt=(0, 1, 2),
        has_loop=True,
    ),
    Program(
        "rk4",
        "RK4, generalised Lotka-Volterra on a 6-vector; d/d(r, A)",
        rk4_lv,
        rk4_lv_grad,
        rk4_lv_inputs,
        wrt=(1, 2),
        has_loop=True,
    ),
    Program(
        "rnn",
        "tanh RNN, T=50, batch 32, hidden 64, linear readout, MSE; d/d(W, U, b, V)",
        rnn,
        rnn_grad,
        rnn_inputs,
        wrt=(0, 1, 2, 3),
        has_loop=True,
    ),
    Program(
        "heat",
        "explicit heat stencil, grid 1000, 200 steps; d/d(u0, r)",
        heat,
        heat_grad,
        heat_inputs,
        wrt=(0, 1),
        has_loop=True,
    ),
    Program(
        "mlp",
        "MLP 64-128-128-10 (tanh, relu), batch 256, MSE; d/d(all weights)",
        mlp,
        mlp_grad,
        mlp_inputs,
        wrt=(0, 1, 2, 3, 4, 5),
        has_loop=False,
    ),
)

BY_NAME = {p.name: p for p in PROGRAMS}
