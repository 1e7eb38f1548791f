"""Functions whose generated gradient source is pinned by tests/test_golden.py.

Each is short, plain numpy/math code as users write it.  srcgrad drops
docstrings, so every function is described by a comment above it instead.

``CASES`` at the bottom lists, for each golden function, its ``wrt`` and an
``rng -> args`` factory used by the numerical checks.  The expected sources
live in ``expected/<name>.py.txt``; regenerate them with
``SRCGRAD_UPDATE_GOLDEN=1 pytest tests/test_golden.py``.

The generated text depends on how this module is imported (helpers are
imported by module name), so tests import it as ``golden.functions`` with
``tests/`` on ``sys.path``.
"""

from __future__ import annotations

import math
from typing import Any, Callable, NamedTuple

import numpy as np

# -- module-level helpers ------------------------------------------------------


# Logistic sigmoid.
def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# Right-hand side of a damped nonlinear decay ODE.
def decay_rhs(y, k):
    return -k * y + 0.1 * np.sin(y)


# c[0] + c[1] x + ... + c[n-1] x**(n-1), evaluated recursively (Horner's rule).
def horner_rec(c, x, i):
    if i == len(c) - 1:
        return c[i]
    return c[i] + x * horner_rec(c, x, i + 1)


# -- golden functions ------------------------------------------------------------


# Straight-line numpy: squared error of a tanh layer.
def tanh_layer_loss(W, x, t):
    h = np.tanh(W @ x)
    r = h - t
    return 0.5 * np.sum(r * r)


# Dense layer with a bias broadcast over the batch rows.
def dense_bias_loss(X, W, b):
    Z = X @ W + b
    return np.mean(Z**2)


# Layer normalisation: reductions along an axis with keepdims.
def layer_norm_energy(X, g):
    mu = np.mean(X, axis=1, keepdims=True)
    d = X - mu
    var = np.mean(d * d, axis=1, keepdims=True)
    Y = g * d / np.sqrt(var + 1e-5)
    return np.sum(Y**3)


# Scalar recurrence over range: iterates of the logistic map.
def logistic_map(r, x0):
    x = x0
    for _ in range(8):
        x = r * x * (1.0 - x)
    return x


# Loop with an if/else inside: Huber loss accumulated element by element.
def huber_loop(res, delta):
    s = 0.0
    for i in range(len(res)):
        a = abs(res[i])
        if a <= delta:
            s = s + 0.5 * res[i] ** 2
        else:
            s = s + delta * (a - 0.5 * delta)
    return s


# While loop: Newton iteration for sqrt(a).
def newton_sqrt(a):
    x = a
    k = 0
    while abs(x * x - a) > 1e-12 and k < 50:
        x = 0.5 * (x + a / x)
        k += 1
    return x


# break inside a for: running sum up to its first crossing of a threshold.
def first_crossing(x, threshold):
    s = 0.0
    for i in range(len(x)):
        s = s + x[i]
        if s > threshold:
            break
    return s * s


# Early return in if/else: regularised hinge loss.
def hinge_loss(w, x, y):
    margin = y * np.dot(w, x)
    if margin >= 1.0:
        return 0.01 * np.dot(w, w)
    else:
        return 1.0 - margin + 0.01 * np.dot(w, w)


# for over zip of arrays: weighted sum of squared residuals.
def weighted_residuals(pred, target, weight):
    s = 0.0
    for p, t, w in zip(pred, target, weight):
        s = s + w * (p - t) ** 2
    return s


# for over enumerate of an array: discounted return.
def discounted_return(rewards, gamma):
    total = 0.0
    for k, r in enumerate(rewards):
        total = total + gamma**k * r
    return total


# A list built with append and consumed by np.stack: trajectory of a map.
def trajectory_energy(A, x0):
    xs = []
    x = x0
    for _ in range(4):
        x = np.tanh(A @ x)
        xs.append(x)
    X = np.stack(xs)
    return np.sum(X**2)


# A list comprehension summed with sum(): energy of a chain of springs.
def spring_chain_energy(p, k):
    return sum([k * np.sum((p[i + 1] - p[i]) ** 2) for i in range(len(p) - 1)])


# In-place subscript write inside a loop: cumulative product.
def cumulative_product(x):
    y = np.zeros_like(x)
    y[0] = x[0]
    for i in range(1, len(x)):
        y[i] = y[i - 1] * x[i]
    return np.sum(y)


# Augmented slice write: a first-order smoothing filter.
def smooth_filter(x, alpha):
    y = x.copy()
    y[1:] += alpha * x[:-1]
    return np.sum(y**2)


# Two calls to a module-level helper: a two-layer sigmoid network.
def two_layer_sigmoid(W1, W2, x):
    h = sigmoid(W1 @ x)
    o = sigmoid(W2 @ h)
    return np.sum(o)


# A nested def closing over the parameters: Gaussian negative log-likelihood.
def gaussian_nll(mu, log_sigma, x):
    def standardize(v):
        return (v - mu) / np.exp(log_sigma)

    z = standardize(x)
    return np.sum(0.5 * z**2 + log_sigma) + 0.5 * len(x) * math.log(2.0 * math.pi)


# A recursive helper: polynomial evaluated by recursive Horner's rule.
def recursive_poly(c, x):
    return np.sum(horner_rec(c, x, 0) ** 2)


# RK4 step loop for a scalar ODE.
def rk4_decay(k, y0):
    dt = 0.1
    y = y0
    for _ in range(5):
        k1 = decay_rhs(y, k)
        k2 = decay_rhs(y + 0.5 * dt * k1, k)
        k3 = decay_rhs(y + 0.5 * dt * k2, k)
        k4 = decay_rhs(y + dt * k3, k)
        y = y + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return y


# Unrolled RNN over the rows of xs.
def rnn_loss(Wh, Wx, xs, h0):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(Wh @ h + Wx @ xs[t])
    return np.sum(h**2)


# Softmax cross-entropy with integer labels.
def softmax_cross_entropy(logits, labels):
    z = logits - np.max(logits, axis=1, keepdims=True)
    logp = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(len(labels)), labels])


# Integer and boolean values that stay undifferentiated: mask, len, int index.
def masked_peak_loss(x, threshold):
    mask = x > threshold
    n = len(x)
    k = int(np.argmax(x))
    return np.sum(np.where(mask, x * x, 0.0)) / n + x[k]


# -- control over the gradient ------------------------------------------------------
# (imported here, not at the top, so that the line numbers above stay put)
import srcgrad  # noqa: E402


# A primitive with a registered adjoint: srcgrad inlines the template, not its body.
def softplus(z):
    return np.logaddexp(0.0, z)


@srcgrad.adjoint(softplus)
def softplus_adjoint(g, ans, z):
    return g * np.exp(z - ans)  # sigmoid(z), from the output


# Softplus regression through the registered adjoint.
def softplus_regression(w, X, y):
    p = softplus(X @ w)
    return np.sum((p - y) ** 2)


# log(1 + exp(x)) with a gradient supplied by hand.
@srcgrad.custom_gradient
def log1pexp(x):
    e = np.exp(x)

    def grad_fn(dy):
        return dy * (1 - 1 / (1 + e))

    return np.log1p(e), grad_fn


# A recurrence through a custom_gradient function: its grad_fn goes on the tape.
def log1pexp_chain(x, a):
    for _ in range(3):
        x = log1pexp(a * x)
    return np.sum(x)


# A gradient hook that clips the adjoint of the hidden layer.
def clipped_hidden_loss(W, x):
    h = np.tanh(W @ x)
    with srcgrad.grad_of(h) as dh:
        dh = np.clip(dh, -10.0, 10.0)
    return np.sum(h * h)


# -- cases -------------------------------------------------------------------------


class Golden(NamedTuple):
    fn: Callable
    wrt: Any
    args: Callable  # rng -> tuple of fresh arguments

    @property
    def name(self):
        return self.fn.__name__


def _normal(rng, *shape):
    return rng.standard_normal(shape)


def _distinct(rng, n):
    """A shuffled vector with well-separated entries (no argmax ties)."""
    return rng.permutation(np.linspace(-1.0, 1.0, n) + rng.uniform(-0.05, 0.05, n))


CASES = [
    Golden(tanh_layer_loss, 0, lambda r: (_normal(r, 3, 4), _normal(r, 4), _normal(r, 3))),
    Golden(dense_bias_loss, (1, 2), lambda r: (_normal(r, 5, 3), _normal(r, 3, 2), _normal(r, 2))),
    Golden(layer_norm_energy, (0, 1), lambda r: (_normal(r, 3, 4), _normal(r, 4))),
    Golden(logistic_map, (0, 1), lambda r: (r.uniform(2.5, 3.5), r.uniform(0.2, 0.8))),
    Golden(huber_loop, 0, lambda r: (_distinct(r, 6) * 3.0, 1.05)),
    Golden(newton_sqrt, 0, lambda r: (r.uniform(0.5, 4.0),)),
    Golden(first_crossing, 0, lambda r: (np.array([0.3, 0.4, 0.5, 0.6]) + r.uniform(0, 0.05, 4),
                                          1.0)),
    Golden(hinge_loss, (0, 1), lambda r: (_normal(r, 4), _normal(r, 4), -1.0)),
    Golden(weighted_residuals, (0, 1), lambda r: (_normal(r, 5), _normal(r, 5),
                                                  r.uniform(0.5, 1.5, 5))),
    Golden(discounted_return, (0, 1), lambda r: (_normal(r, 6), r.uniform(0.8, 0.99))),
    Golden(trajectory_energy, (0, 1), lambda r: (0.5 * _normal(r, 3, 3), _normal(r, 3))),
    Golden(spring_chain_energy, (0, 1), lambda r: (_normal(r, 5, 2), r.uniform(0.5, 2.0))),
    Golden(cumulative_product, 0, lambda r: (r.uniform(0.5, 1.5, 5),)),
    Golden(smooth_filter, (0, 1), lambda r: (_normal(r, 6), r.uniform(0.1, 0.9))),
    Golden(two_layer_sigmoid, (0, 1), lambda r: (_normal(r, 4, 3), _normal(r, 2, 4),
                                                 _normal(r, 3))),
    Golden(gaussian_nll, (0, 1), lambda r: (r.standard_normal(), r.uniform(-0.5, 0.5),
                                            _normal(r, 6))),
    Golden(recursive_poly, (0, 1), lambda r: (_normal(r, 4), _normal(r, 3))),
    Golden(rk4_decay, (0, 1), lambda r: (r.uniform(0.5, 2.0), r.uniform(0.5, 1.5))),
    Golden(rnn_loss, (0, 1, 3), lambda r: (0.5 * _normal(r, 3, 3), 0.5 * _normal(r, 3, 2),
                                           _normal(r, 4, 2), _normal(r, 3))),
    Golden(softmax_cross_entropy, 0, lambda r: (_normal(r, 4, 3), np.array([0, 2, 1, 2]))),
    Golden(masked_peak_loss, 0, lambda r: (_distinct(r, 6), 0.1)),
    Golden(softplus_regression, 0, lambda r: (_normal(r, 3), _normal(r, 5, 3), _normal(r, 5))),
    Golden(log1pexp_chain, (0, 1), lambda r: (_normal(r, 4), r.uniform(0.5, 1.5))),
    Golden(clipped_hidden_loss, (0, 1), lambda r: (_normal(r, 3, 4), _normal(r, 4))),
]

CASES_BY_NAME = {case.name: case for case in CASES}
assert len(CASES_BY_NAME) == len(CASES), "duplicate golden function names"
