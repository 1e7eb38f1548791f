"""Unsupported expressions and assignment targets (see errors_cases/__init__.py)."""

import types

import numpy as np

STATE = types.SimpleNamespace(a=0.0)


def helper(fn, x):
    return fn(x)


def lambda_value(x):
    y = helper(lambda t: t * 2.0, x)  # error: lambda
    return np.sum(y)


def dict_display(x):
    d = {"a": x, "b": 2.0 * x}  # error: {
    return np.sum(d["a"] * d["b"])


def set_display(x):
    s = {1.0, 2.0}  # error: {
    return np.sum(x) * len(s)


def walrus(x):
    z = np.sum((y := np.sin(x)))  # error: y :=
    return z + np.sum(y)


def starred_assign(x):
    first, *rest = np.sin(x)  # error: *rest
    return first + np.sum(rest)


def attribute_write(x):
    y = np.sum(x * x)
    STATE.a = y  # error: STATE.a
    return y


def nested_subscript_write(x, i, j):
    y = x * 1.0
    y[i][j] = 0.0  # error: y[i][j]
    return np.sum(y * x)
