"""Subscript writes and augmented writes into local arrays (np.zeros,
np.zeros_like, x.copy(), ...), inside loops and branches.

autograd cannot trace in-place writes into arrays, so these cases are checked
against finite differences only."""

import numpy as np

from .case import Case, away, flt, vec

NO_AG = "in-place array writes"


def write_int_in_loop(x):
    y = np.zeros_like(x)
    for i in range(len(x)):
        y[i] = x[i] ** 2 * (i + 1)
    return np.sum(np.sin(y))


def write_slice(x):
    y = x.copy()
    y[1:] = y[1:] * 2.0 + y[:-1]
    return np.sum(y * y)


def write_aug_slice(x, z):
    y = x.copy()
    y[1:] += z
    y[:2] *= 3.0
    return np.sum(y**3)


def write_2d_pair_loop(x):
    n = len(x)
    S = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            S[i, j] = x[i] * x[j] + (i - j) * x[i]
    return np.sum(np.tanh(S))


def write_in_branch(x):
    y = np.zeros(len(x))
    for i in range(len(x)):
        if x[i] > 0:
            y[i] = x[i] ** 2
        else:
            y[i] = -x[i] * 0.5
    return np.sum(y * x)


def write_overwrite(x):
    y = x.copy()
    y[2] = y[2] * 3.0
    y[2] = y[2] + y[0]
    y[0] = 1.0
    return np.sum(y**2)


def write_read_after_write_loop(x):
    y = x.copy()
    for i in range(1, len(y)):
        y[i] = y[i - 1] * 0.5 + y[i] * y[i]
    return y[-1] + np.sum(y)


def write_aug_modulo_index(x):
    y = np.zeros(3)
    for i in range(len(x)):
        y[i % 3] += x[i] * (i + 1)
    return np.sum(y**2)


def write_row_and_column(M, v):
    A = M.copy()
    A[0] = v
    A[:, 1] *= 2.0
    A[-1, :] -= v
    return np.sum(A**2)


def write_mask(x):
    y = x.copy()
    y[y < 0] = 0.0
    return np.sum(y**2)


def write_mask_aug(x):
    y = x * 1.0
    y[y > 0] *= 2.0
    return np.sum(y**3)


def write_int_array_index(x):
    y = np.zeros(5)
    y[[0, 2]] = x[:2]
    y[np.array([4, 1])] = x[2:4] * 2.0
    return np.sum(y * np.arange(1.0, 6.0))


def write_fancy_aug_repeated(x):
    y = np.zeros(4)
    y[np.array([0, 1, 1, 3])] += x
    return np.sum(y * np.array([1.0, 2.0, 3.0, 4.0]))


def write_shifted_copy_2d(x):
    U = np.zeros((3, 4))
    U[0, :] = x
    U[1:, :] = U[:-1, :] * 2.0 + 1.0
    return np.sum(U * U)


def write_in_while(x):
    y = x.copy()
    i = 0
    while i < len(y):
        y[i] = np.exp(y[i])
        i += 2
    return np.sum(y)


def write_scalar_param(x, s):
    y = np.ones(4)
    y[1] = s
    y[3] = s * s
    return np.sum(y * x)


def write_ellipsis(x):
    y = np.empty_like(x)
    y[...] = x * 2.0
    return np.sum(y**2)


def write_diag_aug(M, s):
    A = M.copy()
    for i in range(A.shape[0]):
        A[i, i] += s
    return np.sum(A @ A)


def write_ones_like_cumulative(x):
    c = np.ones_like(x)
    c[0] = x[0]
    for i in range(1, len(x)):
        c[i] = c[i - 1] + x[i]
    return np.sum(c * c)


def write_into_column_of_zeros(x):
    Z = np.zeros((len(x), 2))
    Z[:, 0] = x
    Z[:, 1] = x**2
    W = np.array([[1.0, 2.0], [3.0, -1.0]])
    return np.sum((Z @ W) ** 2)


def write_3d_slices(T):
    R = np.zeros_like(T)
    R[0] = T[1]
    R[1, :, 1:] = T[0, :, :-1]
    return np.sum((R + T) ** 2)


def write_conditional_slice(x, t):
    y = x.copy()
    if t > 0:
        y[:3] = y[:3] * t
    else:
        y[3:] = y[3:] - t
    return np.sum(y**2)


def write_param_copy_then_param(x):
    y = x.copy()
    y[0] = 5.0
    return np.sum(y * x)


def write_at_counter_then_rebind(x):
    # the reverse sweep undoes t[k] = ... with the counter k of that iteration,
    # so k is restored although no derivative reads it
    t = x * 1.0
    k = 0
    while k < 3:
        t[k] += 0.25
        t = np.cos(x)
        k += 1
    return np.sum(np.sin(t))


def write_then_power_in_loop(a):
    # t1 ** 2 is recomputed each iteration because t1 is written in place:
    # it is not loop-invariant and must be recorded per iteration
    t1 = np.tanh(a * np.array([1.0, 2.0, 3.0]))
    t3 = np.zeros((2, 3))
    for i in range(2):
        t3[i] = (t1 ** 2) ** 2
        t1[1] = np.sum(t3)
    return np.sum(np.sin(t1)) + np.sum(np.sin(t3))


def _double_first_row(X):
    # writes into the array it is given
    X[0] = X[0] * 2.0
    return np.sum(X * X)


def write_in_callee_on_a_temporary(X, t):
    # the callee writes into t * X, a value no one else reads: supported
    return _double_first_row(t * X) + np.sum(X * t)


def write_in_callee_on_callers_array(X, t):
    # the callee changes Y, which the caller reads before and after the call
    Y = t * X
    z = Y * 2.0
    w = _double_first_row(Y)
    return np.sum(z * z) + w + np.sum(Y)


def write_in_callee_in_a_loop(X, t):
    # each pass calls again with the array the previous pass changed
    Y = t * X
    s = 0.0
    for _ in range(2):
        s = s + _double_first_row(Y)
    return s


CASES = [
    Case(write_int_in_loop, lambda rng: (vec(rng, 5),), autograd=False, note=NO_AG),
    Case(write_slice, lambda rng: (vec(rng, 6),), autograd=False, note=NO_AG),
    Case(write_aug_slice, lambda rng: (vec(rng, 5), vec(rng, 4)), wrt=(0, 1), autograd=False,
         note=NO_AG),
    Case(write_2d_pair_loop, lambda rng: (vec(rng, 4),), autograd=False, note=NO_AG),
    Case(write_in_branch, lambda rng: (away(rng, 6),), autograd=False, note=NO_AG),
    Case(write_overwrite, lambda rng: (vec(rng, 4),), autograd=False, note=NO_AG),
    Case(write_read_after_write_loop, lambda rng: (vec(rng, 5),), autograd=False, note=NO_AG),
    Case(write_aug_modulo_index, lambda rng: (vec(rng, 7),), autograd=False, note=NO_AG),
    Case(write_row_and_column, lambda rng: (vec(rng, (3, 4)), vec(rng, 4)), wrt=(0, 1),
         autograd=False, note=NO_AG),
    Case(write_mask, lambda rng: (away(rng, 6),), autograd=False, note=NO_AG),
    Case(write_mask_aug, lambda rng: (away(rng, 6),), autograd=False, note=NO_AG),
    Case(write_int_array_index, lambda rng: (vec(rng, 4),), autograd=False, note=NO_AG),
    Case(write_fancy_aug_repeated, lambda rng: (vec(rng, 4),), autograd=False,
         note=NO_AG + "; numpy's buffered y[idx] += v does NOT accumulate repeated indices "
         "(the last write to index 1 wins)"),
    Case(write_shifted_copy_2d, lambda rng: (vec(rng, 4),), autograd=False, note=NO_AG),
    Case(write_in_while, lambda rng: (vec(rng, 5),), autograd=False, note=NO_AG),
    Case(write_scalar_param, lambda rng: (vec(rng, 4), flt(rng)), wrt=(0, 1), autograd=False,
         note=NO_AG),
    Case(write_ellipsis, lambda rng: (vec(rng, (2, 3)),), autograd=False, note=NO_AG),
    Case(write_diag_aug, lambda rng: (vec(rng, (3, 3)), flt(rng)), wrt=(0, 1), autograd=False,
         note=NO_AG),
    Case(write_ones_like_cumulative, lambda rng: (vec(rng, 5),), autograd=False, note=NO_AG),
    Case(write_into_column_of_zeros, lambda rng: (vec(rng, 4),), autograd=False, note=NO_AG),
    Case(write_3d_slices, lambda rng: (vec(rng, (2, 3, 4)),), autograd=False, note=NO_AG),
    Case(write_conditional_slice, lambda rng: (vec(rng, 6), flt(rng, 0.2, 1.0)), wrt=(0, 1),
         autograd=False, note=NO_AG, tag="pos"),
    Case(write_conditional_slice, lambda rng: (vec(rng, 6), flt(rng, -1.0, -0.2)), wrt=(0, 1),
         autograd=False, note=NO_AG, tag="neg"),
    Case(write_param_copy_then_param, lambda rng: (vec(rng, 4),), autograd=False, note=NO_AG),
    Case(write_at_counter_then_rebind, lambda rng: (vec(rng, 3),), autograd=False,
         note=NO_AG),
    Case(write_then_power_in_loop, lambda rng: (0.3 + 0.1 * rng.random(),), autograd=False,
         note=NO_AG),
    Case(write_in_callee_on_a_temporary, lambda rng: (vec(rng, (2, 3)), flt(rng)), wrt=(0, 1),
         autograd=False, note=NO_AG),
    Case(write_in_callee_on_callers_array, lambda rng: (vec(rng, (2, 3)), flt(rng)),
         wrt=(0, 1), autograd=False, note=NO_AG,
         unsupported="writes into its parameter 'X', which is the caller's 'Y'"),
    Case(write_in_callee_in_a_loop, lambda rng: (vec(rng, (2, 3)), flt(rng)), wrt=(0, 1),
         autograd=False, note=NO_AG,
         unsupported="writes into its parameter 'X', which is the caller's 'Y'"),
]
