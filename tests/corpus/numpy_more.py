"""The rest of the numpy API in small realistic programs: linalg (cholesky,
slogdet, eigh, svd, qr, lstsq, pinv), signals (convolve, interp), joining and
splitting, products, indexing, nan-reductions and quantiles, array methods."""

import numpy as np

from .case import Case, distinct, pos, vec


def gaussian_nll(L_raw, x):
    """Negative log-likelihood of x under N(0, L L^T + I), via cholesky."""
    cov = L_raw @ L_raw.T + np.eye(3)
    chol = np.linalg.cholesky(cov)
    z = np.linalg.solve(chol, x)
    return 0.5 * np.sum(z * z) + np.sum(np.log(np.diagonal(chol)))


def logdet_penalty(A, B):
    sign, logabsdet = np.linalg.slogdet(A)
    return logabsdet + np.sum(np.linalg.inv(A) @ B) + 0.1 * np.linalg.det(A)


def pca_energy(X, weights):
    C = np.cov(X)
    w, v = np.linalg.eigh(C)
    return np.sum(w[-2:]) + np.sum(v[:, -1] ** 2 * weights)


def nuclear_procrustes(A, B):
    u, s, vh = np.linalg.svd(A, full_matrices=False)
    return np.sum(s) + np.sum((u @ vh) * B)


def qr_energy(A, B):
    q, r = np.linalg.qr(A)
    return np.sum(q * B) + np.sum(np.diagonal(r) ** 2)


def least_squares_fit(A, y):
    coef, residuals, rank, sv = np.linalg.lstsq(A, y, rcond=None)
    return np.sum(coef ** 2) + np.sum(residuals)


def ridge_pinv(A, y):
    x = np.linalg.pinv(A) @ y
    return np.sum(x * x) + np.sum(np.linalg.matrix_power(A.T @ A, 2)) * 0.01


def smooth_signal(x, kernel, target):
    y = np.convolve(x, kernel, mode="same")
    lag = np.correlate(y, target, mode="valid")
    return np.sum((y - target) ** 2) + np.sum(lag)


def interpolated_path(values, t):
    knots = np.linspace(0.0, 1.0, 5)
    return np.sum(np.interp(t, knots, values) ** 2)


def compound_growth(r, w):
    growth = np.cumprod(1.0 + r)
    return np.average(growth, weights=w)


def split_pad_stack(x):
    a, b = np.split(x, 2)
    y = np.pad(a * b, 1, mode="edge")
    parts = np.array_split(y, 3)
    return np.sum(np.column_stack([y, y ** 2]) ** 2) + np.sum(parts[1])


def tensor_products(a, b):
    m = np.reshape(a, (2, 3))
    t = np.tensordot(m, np.reshape(b, (3, 2)), axes=1)
    k = np.kron(t, np.eye(2))
    c = np.cross(a[:3], b[:3])
    return np.sum(k ** 2) + np.sum(c) + np.vdot(a, b) + np.sum(np.inner(m, m))


def cross_entropy(logits, labels):
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    picked = np.take_along_axis(logp, labels[:, None], axis=1)
    return -np.mean(picked)


def piecewise_select(x):
    y = np.select([x < -0.5, x > 0.5], [x ** 2, np.sin(x)], default=0.5 * x)
    return np.sum(y) + np.sum(np.take(x, [0, 2, 2]))


def robust_stats(x):
    with_gap = np.where(x > 0.9, np.nan, x)
    return np.nanmean(with_gap) + np.median(x) + np.quantile(x, 0.3) + np.nanstd(with_gap)


def matrix_methods(A):
    return A.trace() + np.sum(A.diagonal(1)) + np.sum(A.cumprod(axis=1)) + \
        np.sum(A.take([0, 2], axis=0)) + np.sum(A.repeat(2, axis=1) ** 2)


def norm_orders(x, M):
    return (np.linalg.norm(x, 1) + np.linalg.norm(x, np.inf) + np.linalg.norm(M, "nuc")
            + np.linalg.norm(M, 2) + np.linalg.norm(x, 3))


def tuples_and_varargs(x, M):
    row = np.atleast_2d(x)
    p, q = np.broadcast_arrays(x, M)
    frac, whole = np.modf(M * 0.9)
    parts = np.unstack(M)
    mant, ex = np.frexp(x * 0.4 + 2.6)
    return np.sum(row * p * q) + np.sum(frac ** 2) + np.sum(parts[1]) + np.sum(mant * x)


def chained_products(A, B, C):
    chain = np.linalg.multi_dot([A, B, C])
    picked = np.choose(np.array([0, 1, 1]), [A[0], C[1]])
    return np.sum(chain ** 2) + np.sum(picked * np.arange(3.0))


def method_mix(x):
    kept = x.compress([True, False, True, True])
    return x.item(1) * kept.sum() + x.conj().sum() + x.cumprod().sum()


def _spd(rng):
    return vec(rng, (3, 3)) * 0.5 + 2.0 * np.eye(3)


CASES = [
    Case(gaussian_nll, lambda rng: (vec(rng, (3, 3)), vec(rng, 3)), wrt=(0, 1),
         autograd=False, note="autograd's np.diagonal VJP fails on a 2-d argument"),
    Case(logdet_penalty, lambda rng: (_spd(rng), vec(rng, (3, 3))), wrt=(0, 1)),
    Case(pca_energy, lambda rng: (vec(rng, (3, 6)), pos(rng, 3)), wrt=(0, 1),
         autograd=False, note="autograd has no VJP for np.cov"),
    Case(nuclear_procrustes, lambda rng: (vec(rng, (4, 3)), vec(rng, (4, 3))), wrt=(0, 1)),
    Case(qr_energy, lambda rng: (vec(rng, (4, 3)), vec(rng, (4, 3))), wrt=(0, 1),
         autograd=False, note="autograd has no VJP for np.linalg.qr"),
    Case(least_squares_fit, lambda rng: (vec(rng, (6, 3)), vec(rng, 6)), wrt=(0, 1),
         autograd=False, note="autograd has no VJP for np.linalg.lstsq"),
    Case(ridge_pinv, lambda rng: (vec(rng, (4, 3)), vec(rng, 4)), wrt=(0, 1),
         autograd=False, note="autograd has no VJP for np.linalg.pinv"),
    Case(smooth_signal, lambda rng: (vec(rng, 8), vec(rng, 3), vec(rng, 8)), wrt=(0, 1, 2),
         autograd=False, note="autograd's convolve has no mode='same'"),
    Case(interpolated_path, lambda rng: (vec(rng, 5), rng.uniform(0.02, 0.98, size=6)),
         wrt=(0, 1), autograd=False, note="autograd has no VJP for np.interp"),
    Case(compound_growth, lambda rng: (vec(rng, 5, -0.2, 0.2), pos(rng, 5)), wrt=(0, 1),
         autograd=False, note="autograd has no VJP for np.cumprod"),
    Case(split_pad_stack, lambda rng: (vec(rng, 6),), autograd=False,
         note="autograd has no VJP for np.pad(mode='edge')"),
    Case(tensor_products, lambda rng: (vec(rng, 6), vec(rng, 6)), wrt=(0, 1),
         autograd=False, note="autograd has no VJP for np.cross"),
    Case(cross_entropy, lambda rng: (vec(rng, (4, 3)), np.array([0, 2, 1, 2])),
         autograd=False, note="autograd has no VJP for np.take_along_axis"),
    Case(piecewise_select, lambda rng: (np.array([-0.9, -0.2, 0.3, 0.8, 0.1]) +
                                        vec(rng, 5, -0.05, 0.05),),
         autograd=False, note="autograd has no VJP for np.select"),
    Case(robust_stats, lambda rng: (distinct(rng, 7, -0.8, 1.0),), autograd=False,
         note="autograd has no VJP for np.nanmean, np.median or np.quantile"),
    Case(matrix_methods, lambda rng: (vec(rng, (3, 3)),), autograd=False,
         note="autograd has no VJP for cumprod"),
    Case(tuples_and_varargs, lambda rng: (vec(rng, 3), vec(rng, (2, 3))), wrt=(0, 1),
         autograd=False, note="autograd has no VJP for np.modf, np.frexp or np.unstack"),
    Case(chained_products, lambda rng: (vec(rng, (3, 3)), vec(rng, (3, 2)), vec(rng, (2, 3))),
         wrt=(0, 1, 2), autograd=False, note="autograd has no VJP for np.choose"),
    Case(method_mix, lambda rng: (vec(rng, 4),), autograd=False,
         note="autograd cannot trace x.item()"),
    Case(norm_orders, lambda rng: (distinct(rng, 4), vec(rng, (3, 3))), wrt=(0, 1),
         autograd=False, note="autograd's norm has no nuclear or 2-norm of a matrix"),
]
