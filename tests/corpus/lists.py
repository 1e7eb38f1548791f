"""Python containers: lists built with append and indexed, consumed by np.stack,
np.array and sum; list comprehensions; tuples; a dict."""

import numpy as np

from .case import Case, away, flt, vec


def append_sum(x):
    terms = []
    for i in range(5):
        terms.append(x**i / (i + 1.0))
    return sum(terms)


def append_stack(x):
    rows = []
    for i in range(3):
        rows.append(x * i + np.sin(x))
    M = np.stack(rows)
    return np.sum(M**2)


def append_history_index(x):
    hist = [x]
    for _ in range(5):
        hist.append(hist[-1] * 0.9 + np.cos(hist[-1]))
    return hist[-1] * hist[2] + hist[0]


def append_indexed_loop(x):
    vals = []
    for v in x:
        vals.append(v * v)
    s = 0.0
    for i in range(len(vals)):
        s = s + vals[i] * (i + 1)
    return s


def np_array_of_scalars(x):
    v = np.array([x[0] * x[1], x[2], x[0] ** 2])
    return np.sum(v * v)


def np_array_of_floats(x, y):
    v = np.array([x, y, x * y])
    return np.sum(np.exp(v))


def np_array_nested_list(x, y):
    M = np.array([[x, y], [y * y, x - y]])
    return np.sum(M @ M)


def comprehension(x):
    return np.sum(np.array([v * v for v in x]))


def comprehension_range(x):
    return sum([x**k / (k + 1) for k in range(5)])


def comprehension_filter(x):
    return sum([v * v for v in x if v > 0])


def comprehension_nested(x, y):
    M = np.array([[a * b for b in y] for a in x])
    return np.sum(np.tanh(M))


def comprehension_enumerate_zip(x, y):
    return sum([i * a * b for i, (a, b) in enumerate(zip(x, y, strict=True))])


def concatenate_list(x):
    z = np.concatenate([x, x**2, x[:2]])
    return np.sum(z * np.arange(len(z)))


def list_literal_int_index(x, y, i):
    lst = [x, y, x * y]
    return lst[i] * lst[i - 1]


def list_item_write(x):
    lst = [x, x, x]
    lst[1] = lst[1] * 2.0
    lst[2] += x * x
    return lst[0] * lst[1] + lst[2]


def list_concat_repeat(x, y):
    lst = [x] + [y] * 2
    s = 0.0
    for v in lst:
        s = s * 0.5 + v
    return s


def list_pop(x):
    stack = [x, x * 2.0, x * x]
    top = stack.pop()
    return top * stack[-1] + len(stack)


def list_reversed_iteration(x):
    vals = [x * k for k in range(1, 4)]
    acc = 0.0
    for v in reversed(vals):
        acc = acc * x + v
    return acc


def list_of_arrays_sum(x):
    parts = []
    for k in range(3):
        parts.append(np.roll(x, k) * (k + 1.0))
    total = sum(parts)
    return np.sum(total**2)


def list_in_while(x):
    out = [x]
    while len(out) < 4:
        out.append(out[-1] * x + 1.0)
    return sum(out)


def tuple_index(x, y):
    t = (x, y, x + y)
    return t[0] * t[1] + t[-1] ** 2


def dict_values(x, y):
    d = {"a": x * 2.0, "b": y}
    d["c"] = d["a"] * d["b"]
    return d["c"] + d["a"]


def stack_axis1_then_matmul(x, W):
    cols = [x, x**2, np.ones_like(x)]
    X = np.stack(cols, axis=1)
    return np.sum((X @ W) ** 2)


CASES = [
    Case(append_sum, lambda rng: (flt(rng),)),
    Case(append_stack, lambda rng: (vec(rng, 4),)),
    Case(append_history_index, lambda rng: (flt(rng),)),
    Case(append_indexed_loop, lambda rng: (vec(rng, 5),)),
    Case(np_array_of_scalars, lambda rng: (vec(rng, 3),)),
    Case(np_array_of_floats, lambda rng: (flt(rng), flt(rng)), wrt=(0, 1)),
    Case(np_array_nested_list, lambda rng: (flt(rng), flt(rng)), wrt=(0, 1)),
    Case(comprehension, lambda rng: (vec(rng, 5),)),
    Case(comprehension_range, lambda rng: (flt(rng),)),
    Case(comprehension_filter, lambda rng: (away(rng, 6),)),
    Case(comprehension_nested, lambda rng: (vec(rng, 3), vec(rng, 4)), wrt=(0, 1)),
    Case(comprehension_enumerate_zip, lambda rng: (vec(rng, 4), vec(rng, 4)), wrt=(0, 1)),
    Case(concatenate_list, lambda rng: (vec(rng, 4),)),
    Case(list_literal_int_index, lambda rng: (flt(rng), flt(rng), 2), wrt=(0, 1)),
    Case(list_item_write, lambda rng: (flt(rng),)),
    Case(list_concat_repeat, lambda rng: (flt(rng), flt(rng)), wrt=(0, 1)),
    Case(list_pop, lambda rng: (flt(rng),), unsupported="method '.pop()'"),
    Case(list_reversed_iteration, lambda rng: (flt(rng),)),
    Case(list_of_arrays_sum, lambda rng: (vec(rng, 5),)),
    Case(list_in_while, lambda rng: (flt(rng),)),
    Case(tuple_index, lambda rng: (flt(rng), flt(rng)), wrt=(0, 1)),
    Case(dict_values, lambda rng: (flt(rng), flt(rng)), wrt=(0, 1),
         unsupported="Dict expression"),
    Case(stack_axis1_then_matmul, lambda rng: (vec(rng, 5), vec(rng, (3, 2))), wrt=(0, 1)),
]
