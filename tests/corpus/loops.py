"""for-loops: range (1/2/3 args, negative step), rows, zip, enumerate, reversed,
break/continue, for...else, nested loops, loop-carried state."""

import numpy as np

from .case import Case, flt, pos, vec


def range_one_arg(x):
    s = 0.0
    for i in range(5):
        s = s + x**i
    return s


def range_two_args(x):
    p = 1.0
    for i in range(2, 6):
        p = p * (x + 1.0 / i)
    return p


def range_three_args(x):
    s = x
    for i in range(1, 10, 3):
        s = s * np.cos(x * i) + s
    return s


def range_negative_step(x):
    acc = 0.0
    for i in range(5, 0, -1):
        acc = acc * x + i
    return acc


def range_negative_step_by_two(x):
    s = 0.0
    for i in range(10, -1, -2):
        s = s + np.sin(x * i) / (i + 1.0)
    return s


def range_len(x):
    s = 0.0
    for i in range(len(x)):
        s = s + x[i] * i
    return s * s


def range_len_minus_one(x):
    s = 0.0
    for i in range(len(x) - 1):
        s = s + (x[i + 1] - x[i]) ** 2
    return s


def range_backwards_index(x):
    acc = 0.0
    for i in range(len(x) - 1, -1, -1):
        acc = acc * 0.5 + x[i]
    return acc * acc


def range_int_arg(x, n):
    for _ in range(n):
        x = np.sin(x) + 0.5 * x
    return np.sum(x)


def over_rows(M):
    s = 0.0
    for row in M:
        s = s + np.sum(row**2) * np.max(row)
    return s


def over_elements(x):
    s = 0.0
    for v in x:
        s = s * 0.5 + v
    return s * s


def over_list_literal(x, y):
    s = 0.0
    for v in [x, y, x * y]:
        s = s + v * v
    return s


def over_tuple(x, y):
    p = 1.0
    for v in (x, y, 2.0):
        p = p * (v + 1.0)
    return p


def zip_two(x, y):
    s = 0.0
    for a, b in zip(x, y, strict=True):
        s = s + a * b
    return s


def zip_three(x, y, w):
    s = 0.0
    for a, b, c in zip(x, y, w, strict=True):
        s = s + c * (a - b) ** 2
    return s


def zip_shifted(x):
    s = 0.0
    for a, b in zip(x[:-1], x[1:], strict=True):
        s = s + a * b
    return s


def enumerate_basic(x):
    s = 0.0
    for i, v in enumerate(x):
        s = s + (i + 1) * v * v
    return s


def enumerate_start(x):
    s = 0.0
    for k, v in enumerate(x, 1):
        s = s + v**k
    return s


def enumerate_rows(M, w):
    s = 0.0
    for i, row in enumerate(M):
        s = s + w[i] * np.sum(np.tanh(row))
    return s


def reversed_array(x):
    acc = 0.0
    for v in reversed(x):
        acc = acc * 0.7 + v
    return acc * acc


def reversed_range(x):
    acc = 1.0
    for i in reversed(range(len(x))):
        acc = acc * x[i] + 1.0
    return acc


def nested_loops(M):
    n, m = M.shape
    s = 0.0
    for i in range(n):
        for j in range(m):
            s = s + M[i, j] * (i - j) * M[i, j]
    return s


def nested_triangular(x):
    s = 0.0
    for i in range(len(x)):
        for j in range(i):
            s = s + x[i] * x[j]
    return s


def nested_three_deep(x):
    s = 0.0
    for i in range(2):
        for j in range(3):
            for k in range(2):
                s = s + x * (i + 1) * (j - k) + x * x * k
    return s


def loop_carried_pair(x):
    a, b = x, 1.0
    for _ in range(6):
        a, b = a * b * 0.5 + 1.0, a - b * 0.3
    return a + b


def loop_reassign_array(x):
    for _ in range(4):
        x = np.tanh(x * 1.5 + 0.1)
    return np.sum(x)


def break_fixed(x):
    s = 0.0
    for i in range(20):
        s = s + x * i
        if i >= 5:
            break
    return s * x


def break_data(x):
    s = 0.0
    for v in x:
        if s > 1.5:
            break
        s = s + v * v
    return s


def continue_index(x):
    s = 0.0
    for i, v in enumerate(x):
        if i % 2 == 0:
            continue
        s = s + v**2
    return s


def continue_data(x):
    s = 0.0
    for v in x:
        if v < 0:
            continue
        s = s + v**3
    return s


def break_and_continue(x):
    s = 0.0
    for i in range(len(x)):
        if x[i] < 0:
            continue
        if i > 5:
            break
        s = s + np.exp(x[i])
    return s


def for_else_runs(x):
    s = 0.0
    for v in x:
        if v > 5.0:
            break
        s = s + v
    else:
        s = s * s
    return s


def for_else_skipped(x):
    s = 0.0
    for v in x:
        s = s + v * v
        if s > 0.5:
            break
    else:
        s = s * 100.0
    return s


def nested_break_inner(M):
    s = 0.0
    for row in M:
        for v in row:
            if v < 0:
                break
            s = s + v
    return s * s


def loop_with_accumulators(x):
    total = 0.0
    sq = 0.0
    mx = x[0]
    for v in x:
        total += v
        sq += v * v
        if v > mx:
            mx = v
    n = len(x)
    return sq / n - (total / n) ** 2 + mx


def while_counter(x):
    i = 0
    s = 0.0
    while i < 5:
        s = s * x + 1.0
        i += 1
    return s


def while_data_threshold(x):
    y = 1.0
    n = 0
    while y < 10.0:
        y = y * 1.5 + x
        n += 1
    return y * n


def while_true_break(x):
    s = x
    k = 0
    while True:
        s = np.sin(s) + x
        k += 1
        if k >= 8:
            break
    return s


def while_else(x):
    i = 0
    acc = x
    while i < 4:
        acc = acc * x + 1.0
        i += 1
    else:
        acc = acc * 2.0
    return acc


def while_in_for(x):
    total = 0.0
    for v in x:
        t = v
        while t < 2.0:
            t = t * 1.3 + 0.2
        total = total + t * v
    return total


def while_shrink_array(x):
    y = x
    while np.sum(y * y) > 1.0:
        y = y * 0.7
    return np.sum(y * np.arange(len(y)))


def while_nested(x):
    i = 0
    s = 0.0
    while i < 3:
        j = 0
        while j < i + 1:
            s = s + x ** (i + j)
            j += 1
        i += 1
    return s


def while_continue(x):
    i = 0
    s = 0.0
    while i < len(x):
        i += 1
        if x[i - 1] < 0:
            continue
        s = s + np.sqrt(x[i - 1])
    return s


def carried_chain(x, a):
    # each variable feeds the previous one: the adjoints live across the loop
    # are found one pass over the body at a time (b, then c, d, e)
    b = a * 1.0
    c = a * 0.5
    d = a * 0.25
    e = a * 2.0
    y = x * 1.0
    for _ in range(3):
        y = np.sin(y) * b
        b = np.cos(b) * c
        c = np.cos(c) * d
        d = np.cos(d) * e
        e = np.sin(e) + 0.5
    return np.sum(y)


CASES = [
    Case(range_one_arg, lambda rng: (flt(rng),)),
    Case(range_two_args, lambda rng: (flt(rng),)),
    Case(range_three_args, lambda rng: (flt(rng),)),
    Case(range_negative_step, lambda rng: (flt(rng),)),
    Case(range_negative_step_by_two, lambda rng: (flt(rng),)),
    Case(range_len, lambda rng: (vec(rng, 6),)),
    Case(range_len_minus_one, lambda rng: (vec(rng, 7),)),
    Case(range_backwards_index, lambda rng: (vec(rng, 5),)),
    Case(range_int_arg, lambda rng: (vec(rng, 3), 4), wrt="x"),
    Case(over_rows, lambda rng: (vec(rng, (4, 3)),)),
    Case(over_elements, lambda rng: (vec(rng, 6),)),
    Case(over_list_literal, lambda rng: (flt(rng), flt(rng)), wrt=(0, 1)),
    Case(over_tuple, lambda rng: (flt(rng), flt(rng)), wrt=(0, 1)),
    Case(zip_two, lambda rng: (vec(rng, 5), vec(rng, 5)), wrt=(0, 1)),
    Case(zip_three, lambda rng: (vec(rng, 4), vec(rng, 4), pos(rng, 4)), wrt=(0, 1, 2)),
    Case(zip_shifted, lambda rng: (vec(rng, 6),)),
    Case(enumerate_basic, lambda rng: (vec(rng, 5),)),
    Case(enumerate_start, lambda rng: (vec(rng, 5),)),
    Case(enumerate_rows, lambda rng: (vec(rng, (3, 4)), vec(rng, 3)), wrt=(0, 1)),
    Case(reversed_array, lambda rng: (vec(rng, 6),)),
    Case(reversed_range, lambda rng: (vec(rng, 5),)),
    Case(nested_loops, lambda rng: (vec(rng, (3, 4)),)),
    Case(nested_triangular, lambda rng: (vec(rng, 5),)),
    Case(nested_three_deep, lambda rng: (flt(rng),)),
    Case(loop_carried_pair, lambda rng: (flt(rng),)),
    Case(loop_reassign_array, lambda rng: (vec(rng, 4),)),
    Case(break_fixed, lambda rng: (flt(rng),)),
    Case(break_data, lambda rng: (np.array([0.6, 0.7, 0.5, 0.8, 0.4, 0.9])
                                  + vec(rng, 6, -0.03, 0.03),)),
    Case(continue_index, lambda rng: (vec(rng, 7),)),
    Case(continue_data, lambda rng: (np.array([0.5, -0.4, 0.8, -0.7, 0.3, 0.6])
                                     + vec(rng, 6, -0.05, 0.05),)),
    Case(break_and_continue, lambda rng: (np.array([0.5, -0.4, 0.8, 0.2, -0.7, 0.3, 0.6, 0.9])
                                          + vec(rng, 8, -0.05, 0.05),)),
    Case(for_else_runs, lambda rng: (vec(rng, 5),)),
    Case(for_else_skipped, lambda rng: (np.array([0.3, 0.4, 0.6, 0.2])
                                        + vec(rng, 4, -0.03, 0.03),)),
    Case(nested_break_inner, lambda rng: (np.array([[0.5, 0.3, -0.4, 0.9],
                                                    [0.2, -0.6, 0.7, 0.1],
                                                    [0.8, 0.4, 0.6, -0.3]])
                                          + vec(rng, (3, 4), -0.05, 0.05),)),
    Case(loop_with_accumulators, lambda rng: (vec(rng, 6),)),
    Case(while_counter, lambda rng: (flt(rng),)),
    Case(while_data_threshold, lambda rng: (flt(rng, 0.25, 0.35),)),
    Case(while_true_break, lambda rng: (flt(rng),)),
    Case(while_else, lambda rng: (flt(rng),)),
    Case(while_in_for, lambda rng: (np.array([0.5, 1.0, 1.5, 0.3]) + vec(rng, 4, -0.02, 0.02),)),
    Case(while_shrink_array, lambda rng: (np.array([1.2, -0.9, 0.8, 1.1]) * 1.1
                                          + vec(rng, 4, -0.02, 0.02),)),
    Case(while_nested, lambda rng: (flt(rng),)),
    Case(while_continue, lambda rng: (np.array([0.5, -0.4, 0.8, -0.7, 0.3, 0.6])
                                      + vec(rng, 6, -0.05, 0.05),)),
    Case(carried_chain, lambda rng: (vec(rng, 3), vec(rng, 3)), wrt=(0, 1)),
]
