"""Array attributes and methods: .T, .shape, .sum(axis=...), .reshape, .copy,
.dot, .mean, .max, ..."""

import numpy as np

from .case import Case, distinct, pos, vec


def attr_T(M):
    return np.sum(M.T @ M)


def attr_shape(M):
    n, m = M.shape
    return np.sum(M) * n / m + M.shape[0] * np.sum(M**2)


def attr_size_ndim(x):
    return np.sum(x**2) / x.size + x.ndim * np.sum(x)


def meth_sum_axis(M):
    return np.sum(M.sum(axis=0) ** 2) + np.sum(M.sum(axis=1) ** 3) + M.sum()


def meth_sum_keepdims(M):
    P = M / M.sum(axis=1, keepdims=True)
    return np.sum(P**2)


def meth_reshape(x):
    A = x.reshape(3, 4)
    B = x.reshape((2, 6))
    c = A.reshape(-1)
    return np.sum(A @ B.T[:4, :]) + np.sum(c * x)


def meth_copy(x):
    y = x.copy()
    y = y * 2.0
    return np.sum(y * x)


def meth_dot(x, y):
    return x.dot(y) * x.dot(x)


def meth_dot_matrix(A, v):
    return np.sum(A.dot(v) ** 2)


def meth_mean(x):
    m = x.mean()
    return ((x - m) ** 2).mean() + m


def meth_mean_axis(M):
    return np.sum(M.mean(axis=0) * M.mean(axis=1).sum())


def meth_max_min(x):
    return x.max() * 2.0 + x.min()


def meth_max_axis(M):
    return np.sum(M.max(axis=1) ** 2)


def meth_chain(M):
    return M.T.reshape(-1).sum() * M.T.sum(axis=0).max()


def meth_prod(x):
    return x.prod()


def meth_ravel_flatten(M):
    return np.sum(M.ravel() * M.flatten()[::-1])


def meth_var_std(x):
    return x.var() + x.std()


def meth_transpose_axes(T):
    return np.sum(T.transpose((1, 0, 2))[0] ** 2) + np.sum(T.transpose()[0])


def meth_squeeze(x):
    return np.sum(x[None, :, None].squeeze() ** 3)


def meth_cumsum(x):
    return np.sum(x.cumsum() ** 2)


def meth_clip(x):
    return np.sum(x.clip(-0.5, 0.5) * x)


CASES = [
    Case(attr_T, lambda rng: (vec(rng, (3, 2)),)),
    Case(attr_shape, lambda rng: (vec(rng, (3, 4)),)),
    Case(attr_size_ndim, lambda rng: (vec(rng, (2, 3)),)),
    Case(meth_sum_axis, lambda rng: (vec(rng, (3, 4)),)),
    Case(meth_sum_keepdims, lambda rng: (pos(rng, (3, 4)),)),
    Case(meth_reshape, lambda rng: (vec(rng, 12),)),
    Case(meth_copy, lambda rng: (vec(rng, 4),), autograd=False,
         note="autograd boxes have no .copy()"),
    Case(meth_dot, lambda rng: (vec(rng, 4), vec(rng, 4)), wrt=(0, 1), autograd=False,
         note="autograd boxes have no .dot()"),
    Case(meth_dot_matrix, lambda rng: (vec(rng, (3, 4)), vec(rng, 4)), wrt=(0, 1),
         autograd=False, note="autograd boxes have no .dot()"),
    Case(meth_mean, lambda rng: (vec(rng, 5),)),
    Case(meth_mean_axis, lambda rng: (vec(rng, (3, 3)),)),
    Case(meth_max_min, lambda rng: (distinct(rng, 6),)),
    Case(meth_max_axis, lambda rng: (distinct(rng, 12).reshape(3, 4),)),
    Case(meth_chain, lambda rng: (distinct(rng, 12).reshape(4, 3),)),
    Case(meth_prod, lambda rng: (pos(rng, 5),)),
    Case(meth_ravel_flatten, lambda rng: (vec(rng, (2, 3)),)),
    Case(meth_var_std, lambda rng: (vec(rng, 6),)),
    Case(meth_transpose_axes, lambda rng: (vec(rng, (2, 3, 4)),)),
    Case(meth_squeeze, lambda rng: (vec(rng, 4),)),
    Case(meth_cumsum, lambda rng: (vec(rng, 5),)),
    Case(meth_clip, lambda rng: (np.array([-0.9, -0.2, 0.1, 0.3, 0.8, -0.7])
                                 + vec(rng, 6, -0.05, 0.05),)),
]
