"""Operators: arithmetic, matmul, powers, floor-div/mod, unary, comparisons,
boolean operators and conditional expressions."""

import numpy as np

from .case import Case, away, flt, pos, vec


def add_sub_mul(x, y):
    return x + y - x * y + 3.0 * x - y * 0.5


def true_div(x, y):
    return x / y * x + 1.0 / y


def div_array(x, y):
    return np.sum(x / y) + np.sum(2.0 / y)


def matmul_matvec(A, v):
    return np.sum((A @ v) ** 2)


def matmul_matmat(A, B):
    return np.sum(np.tanh(A @ B))


def matmul_vecvec(u, v):
    return (u @ v) * (u @ u)


def matmul_chain(A, B, v):
    return v @ A @ B @ v


def power_int(x):
    return x**3 + x**2 - 2.0 * x**1


def power_float_exp(x):
    return x**2.5 + x**0.5


def power_both(x, y):
    return x**y + y**x


def power_base_const(x):
    return 2.0**x + np.e**x


def power_array(x):
    return np.sum(x**3 - 0.5 * x**2)


def power_array_array(x, p):
    return np.sum(x**p)


def power_negative(x):
    return x**-2 + x**-1.5


def floordiv_scalar(x):
    return (x // 0.3) * x + x


def floordiv_array(x):
    k = x // 0.5
    return np.sum(k * x * x)


def mod_scalar(x):
    return (x % 1.0) * x


def mod_array(x):
    return np.sum((x % 0.5) ** 2)


def unary_neg_pos(x):
    return -x * -(x * x) + (+x)


def unary_array(x):
    y = -x
    return np.sum(-y * (+x) - np.sin(-x))


def precedence(x, y, z):
    return x + y * z - x / z**2 * -y


def compare_branch(x, y):
    if x < y:
        return x * y
    return x + y


def compare_all(x, y):
    s = 0.0
    if x <= y:
        s = s + x
    if x >= y:
        s = s + y * y
    if x != y:
        s = s + x * y
    if x == x:
        s = s + 1.0
    if y > x:
        s = s * y
    return s


def chained_comparison(x):
    if 0.0 < x < 1.0:
        return x * x
    return 3.0 * x


def and_or_not(x, y):
    if x > 0 and y > 0:
        return x * y
    elif x < 0 or not (y < 0.5):
        return x - y
    else:
        return x + 2.0 * y


def or_value(x, y):
    z = x or y
    return z * z + y


def and_value(x, y):
    z = x and y
    return z * x


def conditional_expr(x):
    return x * x if x > 0 else -x


def conditional_expr_nested(x, y):
    a = x if x > y else y
    b = (x * y if a > 0.5 else x - y) if x > 0 else x + y
    return a * b


def conditional_expr_array(x):
    s = np.sum(x)
    return np.sum(x * x) if s > 0 else np.sum(np.exp(x))


def conditional_in_loop(x):
    acc = 0.0
    for i in range(6):
        acc = acc + (x * i if i % 2 == 0 else x / (i + 1.0))
    return acc


def array_any_all(x):
    if np.all(x > -2.0) and np.any(x > 0.0):
        return np.sum(x**2)
    return np.sum(x)


def int_float_mix(x, n):
    return x * n + n // 2 * x + (n % 3) * x * x


CASES = [
    Case(add_sub_mul, lambda rng: (flt(rng), flt(rng)), wrt=(0, 1)),
    Case(true_div, lambda rng: (flt(rng), flt(rng, 0.5, 2.0)), wrt=(0, 1)),
    Case(div_array, lambda rng: (vec(rng, 4), pos(rng, 4)), wrt=(0, 1)),
    Case(matmul_matvec, lambda rng: (vec(rng, (3, 4)), vec(rng, 4)), wrt=(0, 1)),
    Case(matmul_matmat, lambda rng: (vec(rng, (2, 3)), vec(rng, (3, 4))), wrt=(0, 1)),
    Case(matmul_vecvec, lambda rng: (vec(rng, 5), vec(rng, 5)), wrt=(0, 1)),
    Case(matmul_chain, lambda rng: (vec(rng, (3, 3)), vec(rng, (3, 3)), vec(rng, 3)),
         wrt=(0, 1, 2)),
    Case(power_int, lambda rng: (flt(rng),)),
    Case(power_float_exp, lambda rng: (flt(rng, 0.5, 2.0),)),
    Case(power_both, lambda rng: (flt(rng, 0.5, 2.0), flt(rng, 0.5, 2.0)), wrt=(0, 1)),
    Case(power_base_const, lambda rng: (flt(rng),)),
    Case(power_array, lambda rng: (vec(rng, 5),)),
    Case(power_array_array, lambda rng: (pos(rng, 4), vec(rng, 4, 0.5, 2.5)), wrt=(0, 1)),
    Case(power_negative, lambda rng: (flt(rng, 0.5, 2.0),)),
    Case(floordiv_scalar, lambda rng: (flt(rng, 0.46, 0.54),), autograd=False,
         note="autograd boxes have no //"),
    Case(floordiv_array, lambda rng: (np.arange(-2, 3) * 0.5 + vec(rng, 5, 0.1, 0.4),),
         autograd=False, note="autograd boxes have no //"),
    Case(mod_scalar, lambda rng: (flt(rng, 2.2, 2.8),)),
    Case(mod_array, lambda rng: (np.arange(-2, 3) * 0.5 + vec(rng, 5, 0.1, 0.4),)),
    Case(unary_neg_pos, lambda rng: (flt(rng),), autograd=False,
         note="autograd boxes have no unary +"),
    Case(unary_array, lambda rng: (vec(rng, 4),), autograd=False,
         note="autograd boxes have no unary +"),
    Case(precedence, lambda rng: (flt(rng), flt(rng), flt(rng, 0.5, 1.5)), wrt=(0, 1, 2)),
    Case(compare_branch, lambda rng: (flt(rng, -1.0, -0.2), flt(rng, 0.2, 1.0)), wrt=(0, 1),
         tag="lt"),
    Case(compare_branch, lambda rng: (flt(rng, 0.2, 1.0), flt(rng, -1.0, -0.2)), wrt=(0, 1),
         tag="ge"),
    Case(compare_all, lambda rng: (flt(rng, -1.0, -0.2), flt(rng, 0.2, 1.0)), wrt=(0, 1)),
    Case(chained_comparison, lambda rng: (flt(rng, 0.2, 0.8),), tag="inside"),
    Case(chained_comparison, lambda rng: (flt(rng, 1.2, 2.0),), tag="outside"),
    Case(and_or_not, lambda rng: (flt(rng, 0.2, 1.0), flt(rng, 0.2, 1.0)), wrt=(0, 1),
         tag="and"),
    Case(and_or_not, lambda rng: (flt(rng, -1.0, -0.2), flt(rng, -1.0, -0.2)), wrt=(0, 1),
         tag="or"),
    Case(and_or_not, lambda rng: (flt(rng, 0.2, 1.0), flt(rng, -1.0, -0.2)), wrt=(0, 1),
         tag="else"),
    Case(or_value, lambda rng: (away(rng, ()).item(), flt(rng)), wrt=(0, 1)),
    Case(and_value, lambda rng: (away(rng, ()).item(), flt(rng)), wrt=(0, 1)),
    Case(conditional_expr, lambda rng: (flt(rng, 0.2, 1.0),), tag="pos"),
    Case(conditional_expr, lambda rng: (flt(rng, -1.0, -0.2),), tag="neg"),
    Case(conditional_expr_nested, lambda rng: (flt(rng, 0.6, 1.0), flt(rng, -1.0, 0.4)),
         wrt=(0, 1)),
    Case(conditional_expr_array, lambda rng: (vec(rng, 4, 0.1, 1.0),), tag="pos"),
    Case(conditional_expr_array, lambda rng: (vec(rng, 4, -1.0, -0.1),), tag="neg"),
    Case(conditional_in_loop, lambda rng: (flt(rng),)),
    Case(array_any_all, lambda rng: (vec(rng, 5, 0.1, 1.0),)),
    Case(int_float_mix, lambda rng: (flt(rng), 7), wrt="x"),
]
