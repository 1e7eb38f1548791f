"""Control flow: if/elif/else, nested branches, early and multiple returns."""

import numpy as np

from .case import Case, flt, vec


def if_else(x):
    if x > 0:
        y = x * x
    else:
        y = -x
    return y * 3.0


def if_elif_else(x):
    if x < -0.5:
        y = np.sin(x)
    elif x < 0.5:
        y = x * x * x
    else:
        y = np.exp(x)
    return y + x


def if_without_else(x):
    y = x
    if x > 0:
        y = y * y
    return y + x


def if_pass_branch(x):
    y = 2.0 * x
    if x > 10.0:
        pass
    else:
        y = y * x
    return y


def nested_if(x, y):
    if x > 0:
        if y > 0:
            z = x * y
        else:
            z = x - y * y
    else:
        if y > 0:
            z = np.sin(x) * y
        else:
            z = x + y
    return z * z


def if_array_condition(x):
    if np.sum(x) > 0:
        y = x * 2.0
    else:
        y = np.exp(x)
    return np.sum(y * y)


def if_defines_different_vars(x):
    if x > 0:
        a = x * 2.0
        b = x
    else:
        a = x
        b = x * 3.0
    return a * b


def if_partial_update(x, y):
    a = x
    b = y
    if x > y:
        a = a * b
    else:
        b = b * a
    return a + b * b


def early_return(x):
    if x > 1.0:
        return x * x
    y = x * 3.0
    return y + x


def multiple_returns(x):
    if x < -0.5:
        return -x
    elif x < 0.5:
        return x * x
    y = np.log(x)
    if y > 0.5:
        return y * x
    return y


def return_in_loop(x):
    for i in range(12):
        x = x * 1.1
        if x > 2.0:
            return x * i
    return x


def return_expression_branch(x, y):
    if x * y > 0:
        return np.tanh(x * y)
    return np.tanh(x) * np.tanh(y)


def branch_on_int(x, n):
    if n % 2 == 0:
        return x * n
    return x * x * n


def branch_in_loop(x):
    s = 0.0
    for v in x:
        if v > 0:
            s = s + v * v
        elif v > -0.5:
            s = s - v
        else:
            s = s + np.sin(v)
    return s


def branch_reassigns_param(x):
    if x > 0:
        x = x * x
    else:
        x = -x * 2.0
    return x + 1.0


def branch_array_elementwise_vs_scalar(x, t):
    if np.max(x) > t:
        return np.sum(x * t)
    return t * t


CASES = [
    Case(if_else, lambda rng: (flt(rng, 0.2, 1.0),), tag="then"),
    Case(if_else, lambda rng: (flt(rng, -1.0, -0.2),), tag="else"),
    Case(if_elif_else, lambda rng: (flt(rng, -1.0, -0.6),), tag="if"),
    Case(if_elif_else, lambda rng: (flt(rng, -0.4, 0.4),), tag="elif"),
    Case(if_elif_else, lambda rng: (flt(rng, 0.6, 1.0),), tag="else"),
    Case(if_without_else, lambda rng: (flt(rng, 0.2, 1.0),), tag="taken"),
    Case(if_without_else, lambda rng: (flt(rng, -1.0, -0.2),), tag="skipped"),
    Case(if_pass_branch, lambda rng: (flt(rng),)),
    Case(nested_if, lambda rng: (flt(rng, 0.2, 1.0), flt(rng, 0.2, 1.0)), wrt=(0, 1), tag="pp"),
    Case(nested_if, lambda rng: (flt(rng, 0.2, 1.0), flt(rng, -1.0, -0.2)), wrt=(0, 1),
         tag="pn"),
    Case(nested_if, lambda rng: (flt(rng, -1.0, -0.2), flt(rng, 0.2, 1.0)), wrt=(0, 1),
         tag="np"),
    Case(nested_if, lambda rng: (flt(rng, -1.0, -0.2), flt(rng, -1.0, -0.2)), wrt=(0, 1),
         tag="nn"),
    Case(if_array_condition, lambda rng: (vec(rng, 4, 0.1, 1.0),), tag="pos"),
    Case(if_array_condition, lambda rng: (vec(rng, 4, -1.0, -0.1),), tag="neg"),
    Case(if_defines_different_vars, lambda rng: (flt(rng, 0.2, 1.0),), tag="pos"),
    Case(if_defines_different_vars, lambda rng: (flt(rng, -1.0, -0.2),), tag="neg"),
    Case(if_partial_update, lambda rng: (flt(rng, 0.5, 1.0), flt(rng, -1.0, 0.3)), wrt=(0, 1)),
    Case(early_return, lambda rng: (flt(rng, 1.2, 2.0),), tag="early"),
    Case(early_return, lambda rng: (flt(rng, -1.0, 0.8),), tag="late"),
    Case(multiple_returns, lambda rng: (flt(rng, -1.0, -0.6),), tag="r1"),
    Case(multiple_returns, lambda rng: (flt(rng, -0.4, 0.4),), tag="r2"),
    Case(multiple_returns, lambda rng: (flt(rng, 1.8, 2.5),), tag="r3"),
    Case(multiple_returns, lambda rng: (flt(rng, 0.6, 1.5),), tag="r4"),
    Case(return_in_loop, lambda rng: (flt(rng, 0.98, 1.02),), tag="inside"),
    Case(return_in_loop, lambda rng: (flt(rng, 0.3, 0.5),), tag="fallthrough"),
    Case(return_expression_branch, lambda rng: (flt(rng, 0.2, 1.0), flt(rng, 0.2, 1.0)),
         wrt=(0, 1)),
    Case(branch_on_int, lambda rng: (flt(rng), 4), wrt="x", tag="even"),
    Case(branch_on_int, lambda rng: (flt(rng), 3), wrt="x", tag="odd"),
    Case(branch_in_loop, lambda rng: (np.array([0.7, -0.3, -0.8, 0.2, -0.2, -0.9])
                                      + vec(rng, 6, -0.05, 0.05),)),
    Case(branch_reassigns_param, lambda rng: (flt(rng, 0.2, 1.0),), tag="pos"),
    Case(branch_reassigns_param, lambda rng: (flt(rng, -1.0, -0.2),), tag="neg"),
    Case(branch_array_elementwise_vs_scalar, lambda rng: (vec(rng, 4), flt(rng, -2.0, -1.5)),
         wrt=(0, 1)),
]
