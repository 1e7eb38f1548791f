"""Unsupported calls (see errors_cases/__init__.py)."""

import functools
import operator

import numpy as np


def scale(x, s=2.0):
    return x * s


def star_args(x):
    args = (x, 3.0)
    return np.sum(scale(*args))  # error: *args


def star_kwargs(x, kw):
    return np.sum(scale(x, **kw))  # error: **kw


def local_function_call(x):
    g = scale
    return np.sum(g(x))  # error: g(


def parameter_function_call(x, fn):
    return np.sum(fn(x))  # error: fn(


def method_without_rule(x):
    y = np.sin(x)
    return y.getfield(np.float64)  # error: y.getfield


def method_tofile(x):
    y = np.sin(x)
    y.tofile("/dev/null")  # error: y.tofile
    return np.sum(y)


def numpy_without_rule(A):
    w, v = np.linalg.eig(A)  # error: np.linalg.eig
    return np.sum(np.real(w))


def c_function_sorted(x):
    y = sorted(x)  # error: sorted
    return y[0] * 2.0


def c_function_reduce(x):
    s = functools.reduce(operator.add, x)  # error: functools.reduce
    return s * 2.0


class Affine:
    def __call__(self, t):
        return 2.0 * t


AFFINE = Affine()
PARTIAL = functools.partial(scale, s=3.0)


def callable_object(x):
    return np.sum(AFFINE(x))  # error: AFFINE


def partial_object(x):
    return np.sum(PARTIAL(x))  # error: PARTIAL


namespace = {"np": np}
exec("def from_exec(t):\n    return t * 2.0\n", namespace)
from_exec = namespace["from_exec"]


def calls_sourceless(x):
    return np.sum(from_exec(x))  # error: from_exec


def sourceless_constant(x):
    c = from_exec(2.0)  # error: from_exec
    return np.sum(x) * c


def _helper_calls_sourceless(t):
    return from_exec(t) + 1.0  # error: from_exec


def calls_helper_calling_sourceless(x):
    return np.sum(_helper_calls_sourceless(x))
