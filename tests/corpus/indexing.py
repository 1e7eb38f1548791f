"""Subscript reads: ints, negative ints, slices with steps, None/np.newaxis,
tuples, Ellipsis, integer-array (repeated) indices, boolean masks."""

import numpy as np

from .case import Case, away, distinct, vec


def int_index(x):
    return x[0] * x[2] + x[-1] * x[-2]


def int_index_2d(M):
    return M[0, 1] * M[1][2] + M[-1, -1] ** 2


def slices(x):
    return np.sum(x[1:4] * x[2:5]) + np.sum(x[:3])


def slices_step(x):
    return np.sum(x[::2] ** 2) + np.sum(x[1::3]) * x[0] + np.sum(x[::-1] * x)


def slices_negative(x):
    return np.sum(x[-3:] ** 2) + np.sum(x[:-2]) * np.sum(x[-4:-1])


def slices_negative_step(x):
    return np.sum(x[5:1:-2] * x[:2]) + np.sum(x[-1::-3])


def slices_2d(M):
    return np.sum(M[1:, :2] ** 2) + np.sum(M[:, 1]) * np.sum(M[::2, ::-1][0])


def slice_with_variables(x, k):
    return np.sum(x[k:k + 3] ** 2) + np.sum(x[:k])


def newaxis_outer(x):
    return np.sum(np.tanh(x[:, None] * x[None, :]))


def newaxis_np_constant(x, y):
    D = x[:, np.newaxis] - y[np.newaxis, :]
    return np.sum(D**2)


def ellipsis(T):
    return np.sum(T[..., 0] * T[..., 1]) + np.sum(T[0, ...] ** 2)


def ellipsis_newaxis(x):
    return np.sum(x[..., None] * x[None, ...])


def mixed_int_slice_3d(T):
    return np.sum(T[1, :, ::2] ** 2) + np.sum(T[:, -1, 1])


def tuple_index_variable(M):
    key = (1, 2)
    other = (slice(None), 0)
    return M[key] * np.sum(M[other])


def chained_subscripts(M):
    return M[1][::2][0] * M[-1][1:][-1]


def int_array_index(x):
    idx = np.array([0, 2, 3])
    return np.sum(x[idx] ** 2)


def repeated_int_array_index(x):
    idx = np.array([0, 1, 1, 3, 0, 0])
    return np.sum(x[idx] ** 2)


def list_index(x):
    return np.sum(x[[2, 2, 0]] * np.array([1.0, 2.0, 3.0]))


def int_arrays_2d(M):
    return np.sum(M[[0, 1, 1], [2, 0, 0]] ** 2)


def rows_by_int_array(M):
    return np.sum(M[np.array([2, 0, 2])] * M[0])


def int_array_param(x, idx):
    return np.sum(np.sin(x[idx]))


def bool_mask(x):
    return np.sum(x[x > 0] ** 2)


def bool_mask_other(x, y):
    return np.sum(y[x > 0] * 2.0) + np.sum(y[x <= 0] ** 2)


def bool_mask_2d(M):
    return np.sum(M[M > 0.0] ** 3)


def bool_mask_rows(M, w):
    return np.sum(M[w > 0]) * np.sum(w[w > 0])


def argmax_index(x):
    i = np.argmax(x)
    return x[i] * 2.0 + x[np.argmin(x)]


def index_int_arg(x, i):
    return x[i] * x[i + 1] + x[-i]


def index_in_window_loop(x):
    s = 0.0
    for i in range(len(x) - 2):
        s = s + np.sum(x[i:i + 3]) ** 2
    return s


def index_0d(x):
    return x[()] * x[()]


CASES = [
    Case(int_index, lambda rng: (vec(rng, 5),)),
    Case(int_index_2d, lambda rng: (vec(rng, (3, 4)),)),
    Case(slices, lambda rng: (vec(rng, 6),)),
    Case(slices_step, lambda rng: (vec(rng, 8),)),
    Case(slices_negative, lambda rng: (vec(rng, 7),)),
    Case(slices_negative_step, lambda rng: (vec(rng, 7),)),
    Case(slices_2d, lambda rng: (vec(rng, (4, 3)),)),
    Case(slice_with_variables, lambda rng: (vec(rng, 7), 2), wrt="x"),
    Case(newaxis_outer, lambda rng: (vec(rng, 4),)),
    Case(newaxis_np_constant, lambda rng: (vec(rng, 3), vec(rng, 4)), wrt=(0, 1)),
    Case(ellipsis, lambda rng: (vec(rng, (2, 3, 2)),)),
    Case(ellipsis_newaxis, lambda rng: (vec(rng, 4),)),
    Case(mixed_int_slice_3d, lambda rng: (vec(rng, (2, 3, 4)),)),
    Case(tuple_index_variable, lambda rng: (vec(rng, (3, 4)),)),
    Case(chained_subscripts, lambda rng: (vec(rng, (3, 4)),)),
    Case(int_array_index, lambda rng: (vec(rng, 5),)),
    Case(repeated_int_array_index, lambda rng: (vec(rng, 5),)),
    Case(list_index, lambda rng: (vec(rng, 4),)),
    Case(int_arrays_2d, lambda rng: (vec(rng, (2, 3)),)),
    Case(rows_by_int_array, lambda rng: (vec(rng, (3, 4)),)),
    Case(int_array_param, lambda rng: (vec(rng, 5), np.array([4, 1, 1, 0])), wrt="x"),
    Case(bool_mask, lambda rng: (away(rng, 6),)),
    Case(bool_mask_other, lambda rng: (away(rng, 6), vec(rng, 6)), wrt="y"),
    Case(bool_mask_2d, lambda rng: (away(rng, (3, 3)),)),
    Case(bool_mask_rows, lambda rng: (vec(rng, (4, 2)), np.array([0.5, -0.3, 0.7, -0.9])
                                      + vec(rng, 4, -0.05, 0.05)), wrt=(0, 1)),
    Case(argmax_index, lambda rng: (distinct(rng, 6),)),
    Case(index_int_arg, lambda rng: (vec(rng, 6), 2), wrt="x"),
    Case(index_in_window_loop, lambda rng: (vec(rng, 7),)),
    Case(index_0d, lambda rng: (np.array(rng.uniform(-1.0, 1.0)),)),
]
