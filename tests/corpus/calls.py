"""Calls to user-defined functions: module-level helpers, nested defs, closures,
keyword/default arguments, recursion, helpers calling helpers."""

import math

import numpy as np

from .case import Case, flt, pos, vec


def _square(v):
    return v * v


def _affine(v, w=2.0, b=0.5):
    return w * v + b


def _scaled(v, s=3.0):
    return s * np.sin(v)


def _poly_and_deriv(c, x):
    p = 0.0
    dp = 0.0
    for k in range(len(c)):
        p = p + c[k] * x**k
        if k > 0:
            dp = dp + k * c[k] * x ** (k - 1)
    return p, dp


def _rpow(x, n):
    if n == 0:
        return 1.0
    return x * _rpow(x, n - 1)


def _rpow_fast(x, n):
    if n == 0:
        return 1.0
    half = _rpow_fast(x, n // 2)
    if n % 2 == 0:
        return half * half
    return half * half * x


def _horner_rec(c, x, i):
    if i == len(c) - 1:
        return c[i]
    return c[i] + x * _horner_rec(c, x, i + 1)


def _smooth_rec(v, depth):
    if depth == 0:
        return v
    w = 0.5 * v + 0.25 * (np.roll(v, 1) + np.roll(v, -1))
    return _smooth_rec(np.tanh(w), depth - 1)


def _even_series(x, n):
    if n <= 0:
        return 1.0
    return 1.0 + x * _odd_series(x, n - 1)


def _odd_series(x, n):
    if n <= 0:
        return x
    return x - 0.5 * x * _even_series(x, n - 1)


def _level3(v):
    return np.exp(-v * v)


def _level2(v):
    return _level3(v) * v + _level3(2.0 * v)


def _level1(v):
    return np.sum(_level2(v) ** 2)


def _sum_all(*vals):
    s = 0.0
    for v in vals:
        s = s + v
    return s


def _kwonly(v, *, scale, shift=0.0):
    return scale * v + shift


def _energy(x, k=1.0):
    e = 0.0
    for i in range(len(x) - 1):
        e = e + k * (x[i + 1] - x[i]) ** 2
    return e


def _apply_twice(fn, v):
    return fn(fn(v))


def _math_helper(t):
    return math.sin(t) * math.exp(-t)


def call_module_helper(x):
    return _square(x) + _square(2.0 * x)


def call_helper_array(x):
    return np.sum(_square(np.sin(x)))


def call_keyword_args(x, y):
    return _affine(x, b=y) * _affine(x, 3.0, b=0.1) + _affine(v=y, w=x)


def call_default_args(x):
    return np.sum(_scaled(x) + _scaled(x, 0.5) + _scaled(x, s=x))


def call_tuple_return(c, x):
    p, dp = _poly_and_deriv(c, x)
    return p * dp


def call_in_loop(x):
    s = 0.0
    for i in range(4):
        s = s + _affine(x, w=float(i)) * _square(x)
    return s


def call_nested_chain(x):
    return _level1(x)


def call_varargs(x, y):
    return _sum_all(x, y, x * y) * _sum_all(x)


def call_kwonly(x, y):
    return _kwonly(x, scale=y) * _kwonly(y, scale=2.0, shift=x)


def call_helper_with_loop(x, k):
    return _energy(x, k=k) + _energy(x * x)


def call_higher_order(x):
    return _apply_twice(_square, x) + _apply_twice(np.sin, x)


def call_math_helper(x):
    return _math_helper(x) + _math_helper(2.0 * x)


def nested_def(x):
    def inner(u):
        return u * u + 1.0

    return inner(x) * inner(2.0 * x)


def nested_def_closure(x, y):
    def g(u):
        return u * x + y * y

    return g(x) + g(y) * g(1.0)


def nested_def_default(x):
    def h(u, c=2.0):
        return c * np.cos(u)

    return h(x) + h(x, c=x)


def nested_def_in_loop_call(x):
    def step(v, dt):
        return v + dt * (-v * v)

    for _ in range(10):
        x = step(x, 0.05)
    return x


def nested_def_calls_module_helper(x):
    def inner(u):
        return _square(u) + _affine(u)

    return np.sum(inner(x))


def nested_two_levels(x):
    def outer(u):
        def innermost(w):
            return w * w * x

        return innermost(u) + u

    return outer(x) * outer(0.5)


def local_lambda(x):
    f = lambda u: u * u * 3.0
    return f(x) + f(x + 1.0)


def recursive_power(x):
    return _rpow(x, 5) + _rpow(x, 0)


def recursive_power_fast(x):
    return _rpow_fast(x, 7)


def recursive_horner(c, x):
    return _horner_rec(c, x, 0)


def recursive_array(x):
    return np.sum(_smooth_rec(x, 3) ** 2)


def mutual_recursion(x):
    return _even_series(x, 5)


def _first_times(p, x):
    return p[0] * x


def list_param_in_loop(a, n):
    p = [a]
    s = 0.0
    for _ in range(n):
        s = s + _first_times(p, 1.5)
    return s * s


def list_param_two_calls(a):
    p = [a, 2.0 * a]
    return _first_times(p, 1.0) * _first_times(p, 2.0)


def list_param_and_direct_read(a):
    p = [a, a * a]
    return _first_times(p, 1.0) + p[1] * 2.0


def tuple_param_two_calls(a, b):
    p = (a * b, b)
    return _first_times(p, 1.0) + _first_times(p, 3.0) * p[1]


def _half_sin_plus(p, q):
    return 0.5 * np.sin(q) + p


def call_on_row_then_write_row(W):
    # the helper keeps its argument, a view of W's row, for its reverse sweep;
    # W's row is then written in place, and must be restored before that runs
    W = np.sin(W)
    W[1] += 0.25 * np.tanh(-_half_sin_plus(0.5, W[1]))
    return np.sum(W) + np.sum(np.sin(W))


CASES = [
    Case(list_param_in_loop, lambda rng: (flt(rng), 3)),
    Case(list_param_two_calls, lambda rng: (flt(rng),)),
    Case(list_param_and_direct_read, lambda rng: (flt(rng),)),
    Case(tuple_param_two_calls, lambda rng: (flt(rng), flt(rng)), wrt=(0, 1)),
    Case(call_module_helper, lambda rng: (flt(rng),)),
    Case(call_helper_array, lambda rng: (vec(rng, 4),)),
    Case(call_keyword_args, lambda rng: (flt(rng), flt(rng)), wrt=(0, 1)),
    Case(call_default_args, lambda rng: (vec(rng, 4),)),
    Case(call_tuple_return, lambda rng: (vec(rng, 4), flt(rng)), wrt=(0, 1)),
    Case(call_in_loop, lambda rng: (flt(rng),)),
    Case(call_nested_chain, lambda rng: (vec(rng, 5),)),
    Case(call_varargs, lambda rng: (flt(rng), flt(rng)), wrt=(0, 1),
         unsupported="*args, **kwargs, keyword-only or positional-only"),
    Case(call_kwonly, lambda rng: (flt(rng), flt(rng)), wrt=("x", "y"),
         unsupported="*args, **kwargs, keyword-only or positional-only"),
    Case(call_helper_with_loop, lambda rng: (vec(rng, 5), flt(rng, 0.5, 2.0)), wrt=(0, 1)),
    Case(call_higher_order, lambda rng: (flt(rng),), unsupported="local value"),
    Case(call_math_helper, lambda rng: (flt(rng),)),
    Case(nested_def, lambda rng: (flt(rng),)),
    Case(nested_def_closure, lambda rng: (flt(rng), flt(rng)), wrt=(0, 1)),
    Case(nested_def_default, lambda rng: (flt(rng),)),
    Case(nested_def_in_loop_call, lambda rng: (flt(rng, 0.5, 1.5),)),
    Case(nested_def_calls_module_helper, lambda rng: (vec(rng, 3),)),
    Case(nested_two_levels, lambda rng: (flt(rng),)),
    Case(local_lambda, lambda rng: (flt(rng),)),
    Case(recursive_power, lambda rng: (flt(rng),)),
    Case(recursive_power_fast, lambda rng: (flt(rng, 0.5, 1.2),)),
    Case(recursive_horner, lambda rng: (vec(rng, 5), flt(rng)), wrt=(0, 1)),
    Case(recursive_array, lambda rng: (vec(rng, 5),)),
    Case(mutual_recursion, lambda rng: (flt(rng),)),
    Case(call_helper_with_loop, lambda rng: (pos(rng, 4), 0.5), wrt="k", tag="wrt_k"),
    Case(call_on_row_then_write_row, lambda rng: (rng.standard_normal((2, 3)),),
         autograd=False, note="autograd cannot differentiate in-place writes"),
]
