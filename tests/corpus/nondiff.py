"""Integer, boolean and index values that must not be differentiated,
passed alongside float arguments or computed from them."""

import numpy as np

from .case import Case, away, distinct, flt, vec


def scale_by_int(x, n):
    return x * n + n**2 + x * x / n


def int_loop_count(x, n):
    for _ in range(n):
        x = np.sin(x) + 0.1
    return np.sum(x)


def bool_flag(x, flag):
    if flag:
        return x * x
    return x


def int_in_middle(x, n, y):
    return (x + y) ** n + x * y * n


def int_array_arg(x, idx):
    return np.sum(x[idx] ** 2) + len(idx) * x[idx[0]]


def int_from_shape(x):
    n = x.shape[0]
    k = n // 2
    return np.sum(x[:k] ** 2) - np.sum(x[k:]) * k


def bool_mask_arg(x, mask):
    return np.sum(x[mask] ** 2) + np.sum(np.where(mask, x, 0.0))


def counter_in_loop(x):
    count = 0
    for v in x:
        if v > 0:
            count += 1
    return np.sum(x) * count


def argmax_int(x):
    i = int(np.argmax(x))
    return x[i] * i + i


def comparison_as_number(x):
    return np.sum((x > 0) * x) + np.sum((x < 0) * x**2)


def astype_index(x, t):
    idx = (np.abs(x) * 3.0).astype(int)
    return np.sum(t[idx] * x)


def floor_round_ceil(x):
    return np.sum(np.floor(x) * x + np.round(x) * x**2 + np.ceil(x))


def int_mod_branch(x, n):
    acc = 0.0
    for i in range(n):
        if i % 3 == 0:
            acc = acc + x * i
        else:
            acc = acc - x * x
    return acc


def int_accumulator_and_float(x):
    steps = 0
    y = x
    while steps < 6:
        y = y * 0.8 + 0.3
        steps += 1
    return y * steps


def shape_from_int_args(x, rows, cols):
    M = x[: rows * cols].reshape(rows, cols)
    return np.sum(M @ M.T)


def sign_and_int_multiplier(x):
    s = np.sign(x)
    k = np.sum(x > 0)
    return np.sum(s * x) * k + float(k)


CASES = [
    Case(scale_by_int, lambda rng: (flt(rng), 3), wrt="x"),
    Case(int_loop_count, lambda rng: (vec(rng, 3), 5), wrt=0),
    Case(bool_flag, lambda rng: (flt(rng), True), wrt="x", tag="true"),
    Case(bool_flag, lambda rng: (flt(rng), False), wrt="x", tag="false"),
    Case(int_in_middle, lambda rng: (flt(rng), 3, flt(rng)), wrt=("x", "y")),
    Case(int_array_arg, lambda rng: (vec(rng, 5), np.array([3, 0, 3, 1])), wrt="x"),
    Case(int_from_shape, lambda rng: (vec(rng, 7),)),
    Case(bool_mask_arg, lambda rng: (vec(rng, 5), np.array([True, False, True, True, False])),
         wrt="x"),
    Case(counter_in_loop, lambda rng: (away(rng, 6),)),
    Case(argmax_int, lambda rng: (distinct(rng, 5),)),
    Case(comparison_as_number, lambda rng: (away(rng, 6),)),
    Case(astype_index, lambda rng: (np.array([0.1, -0.5, 0.9, -0.4, 0.15]) + vec(rng, 5, -0.02,
                                    0.02), vec(rng, 3)), wrt=(0, 1), autograd=False,
         note="autograd keeps .astype(int) of a traced array boxed and fails on t[idx]"),
    Case(floor_round_ceil, lambda rng: (np.array([-1.2, -0.3, 0.2, 0.7, 1.3])
                                        + vec(rng, 5, -0.05, 0.05),)),
    Case(int_mod_branch, lambda rng: (flt(rng), 7), wrt="x"),
    Case(int_accumulator_and_float, lambda rng: (flt(rng),)),
    Case(shape_from_int_args, lambda rng: (vec(rng, 8), 2, 3), wrt="x"),
    Case(sign_and_int_multiplier, lambda rng: (away(rng, 5),)),
]
