"""numpy functions: elementwise math, broadcasting, reductions (axis/keepdims),
dot/matmul/einsum, shape manipulation, where/maximum/minimum/clip, constructors."""

import numpy as np

from .case import Case, away, distinct, pos, vec


def elementwise_basic(x):
    return np.sum(np.sin(x) * np.cos(x) + np.exp(x) + np.tanh(x))


def elementwise_log_sqrt(x):
    return np.sum(np.log(x) * np.sqrt(x) + np.log1p(x) - np.expm1(-x))


def elementwise_more(x):
    return np.sum(np.arctan(x) + np.sinh(x) * np.cosh(x) + np.square(x) + np.arcsin(x * 0.5))


def elementwise_power_fns(x):
    return np.sum(np.power(x, 3) + np.reciprocal(x) + np.exp2(x) + np.log2(x) + np.log10(x))


def elementwise_abs_sign(x):
    return np.sum(np.abs(x) * np.sign(x) + np.abs(x) ** 2)


def broadcast_col_row(a, b):
    return np.sum(np.sin(a * b))


def broadcast_scalar_array(s, x):
    return np.sum((s * x + s) ** 2) + np.sum(x / s)


def broadcast_3d(A, B):
    return np.sum((A + B) ** 2 * A)


def reduce_axis_keepdims(M):
    mu = np.mean(M, axis=0, keepdims=True)
    sd = np.sqrt(np.mean((M - mu) ** 2, axis=0, keepdims=True))
    return np.sum(((M - mu) / sd) ** 3) + np.sum(np.sum(M, axis=1) ** 2)


def reduce_max_axis(M):
    return np.sum(np.max(M, axis=0)) + np.min(M) + np.sum(np.amax(M, axis=1, keepdims=True))


def reduce_prod(x):
    return np.prod(x) + np.sum(np.prod(x.reshape(2, 3), axis=1))


def reduce_norm(x, M):
    return np.linalg.norm(x) + np.linalg.norm(M) ** 2


def logsumexp_manual(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


def dot_variants(A, x):
    return np.dot(x, x) + np.sum(np.dot(A, x)) + np.sum(np.matmul(A.T, A))


def einsum_matmul(A, B):
    return np.sum(np.einsum("ij,jk->ik", A, B) ** 2)


def einsum_trace_outer(A, x):
    return np.einsum("ii->", A) * np.sum(np.einsum("i,j->ij", x, x) * A)


def einsum_batched(A, B):
    return np.sum(np.tanh(np.einsum("bij,bjk->bik", A, B)))


def einsum_contract_all(A, x):
    return np.einsum("i,ij,j->", x, A, x)


def outer_trace_diag(A, x):
    return np.trace(A @ A) + np.sum(np.outer(x, x) * A) + np.sum(np.diag(A) ** 2)


def reshape_transpose(x):
    M = np.reshape(x, (3, 4))
    N = np.transpose(M)
    return np.sum(N @ M) + np.sum(np.swapaxes(M[None], 1, 2) ** 2)


def concatenate_axes(A, B):
    C = np.concatenate([A, B], axis=0)
    D = np.concatenate((A, A * B), axis=1)
    return np.sum(C**2) + np.sum(np.sin(D))


def stack_hstack_vstack(x, y):
    S = np.stack([x, y], axis=1)
    H = np.hstack([x, y * y])
    V = np.vstack([x, y])
    return np.sum(S @ V) + np.sum(H**3)


def where_branches(x):
    return np.sum(np.where(x > 0, x**2, -x * 0.5))


def where_with_mask_variable(x, y):
    mask = x > y
    return np.sum(np.where(mask, x * y, y - x) ** 2)


def maximum_minimum(x, y):
    return np.sum(np.maximum(x, 0.0) ** 2) + np.sum(np.minimum(x, y) * np.maximum(x, y))


def relu_mlp_layer(x, W):
    return np.sum(np.maximum(W @ x, 0.0))


def clip_values(x):
    return np.sum(np.clip(x, -0.5, 0.5) * x)


def constructors_like(x):
    z = np.zeros_like(x) + x
    o = np.ones_like(x) * 2.0
    f = np.full_like(x, 0.5)
    return np.sum(z * o + f * x) + np.sum(np.zeros(3)) + np.sum(np.ones((2, 2)))


def constructors_arange_linspace_eye(x):
    t = np.linspace(0.0, 1.0, len(x))
    k = np.arange(len(x))
    E = np.eye(len(x))
    return np.sum(x * t * k) + x @ E @ x


def cumsum_diff(x):
    return np.sum(np.cumsum(x) ** 2) + np.sum(np.diff(x) ** 2)


def sort_values(x):
    s = np.sort(x)
    return np.sum(s * np.arange(1.0, len(x) + 1.0))


def flip_roll(x):
    return np.sum(np.flip(x) * x) + np.sum(np.roll(x, 2) * x**2)


def repeat_tile(x):
    return np.sum(np.repeat(x, 2) * np.tile(x, 2))


def squeeze_expand(x):
    y = np.expand_dims(x, 0)
    return np.sum(np.squeeze(y) ** 2) + np.sum(y.T * y)


def var_std(x, M):
    return np.var(x) + np.std(x) + np.sum(np.var(M, axis=1))


def softplus_sigmoid(x):
    sig = 1.0 / (1.0 + np.exp(-x))
    return np.sum(np.log1p(np.exp(x)) * sig)


def linalg_solve(A, b):
    return np.sum(np.linalg.solve(A, b) ** 2)


def triu_tril(A):
    return np.sum(np.triu(A) ** 2) + np.sum(np.tril(A, -1) * A)


CASES = [
    Case(elementwise_basic, lambda rng: (vec(rng, 5),)),
    Case(elementwise_log_sqrt, lambda rng: (pos(rng, 5),)),
    Case(elementwise_more, lambda rng: (vec(rng, 5),)),
    Case(elementwise_power_fns, lambda rng: (pos(rng, 5),)),
    Case(elementwise_abs_sign, lambda rng: (away(rng, 5),)),
    Case(broadcast_col_row, lambda rng: (vec(rng, (3, 1)), vec(rng, 4)), wrt=(0, 1)),
    Case(broadcast_scalar_array, lambda rng: (float(rng.uniform(0.5, 1.5)), vec(rng, 4)),
         wrt=(0, 1)),
    Case(broadcast_3d, lambda rng: (vec(rng, (2, 1, 4)), vec(rng, (3, 1))), wrt=(0, 1)),
    Case(reduce_axis_keepdims, lambda rng: (vec(rng, (5, 3)),)),
    Case(reduce_max_axis, lambda rng: (distinct(rng, 12).reshape(3, 4),)),
    Case(reduce_prod, lambda rng: (pos(rng, 6),)),
    Case(reduce_norm, lambda rng: (vec(rng, 4), vec(rng, (2, 3))), wrt=(0, 1)),
    Case(logsumexp_manual, lambda rng: (distinct(rng, 5),)),
    Case(dot_variants, lambda rng: (vec(rng, (3, 3)), vec(rng, 3)), wrt=(0, 1)),
    Case(einsum_matmul, lambda rng: (vec(rng, (2, 3)), vec(rng, (3, 4))), wrt=(0, 1)),
    Case(einsum_trace_outer, lambda rng: (vec(rng, (3, 3)), vec(rng, 3)), wrt=(0, 1),
         autograd=False, note="autograd's einsum VJP rejects repeated subscripts ('ii->')"),
    Case(einsum_batched, lambda rng: (vec(rng, (2, 2, 3)), vec(rng, (2, 3, 2))), wrt=(0, 1)),
    Case(einsum_contract_all, lambda rng: (vec(rng, (3, 3)), vec(rng, 3)), wrt=(0, 1)),
    Case(outer_trace_diag, lambda rng: (vec(rng, (3, 3)), vec(rng, 3)), wrt=(0, 1)),
    Case(reshape_transpose, lambda rng: (vec(rng, 12),)),
    Case(concatenate_axes, lambda rng: (vec(rng, (2, 3)), vec(rng, (2, 3))), wrt=(0, 1)),
    Case(stack_hstack_vstack, lambda rng: (vec(rng, 3), vec(rng, 3)), wrt=(0, 1)),
    Case(where_branches, lambda rng: (away(rng, 6),)),
    Case(where_with_mask_variable, lambda rng: (vec(rng, 5), vec(rng, 5) + 0.0), wrt=(0, 1)),
    Case(maximum_minimum, lambda rng: (away(rng, 5), away(rng, 5)), wrt=(0, 1)),
    Case(relu_mlp_layer, lambda rng: (vec(rng, 3), vec(rng, (4, 3))), wrt=(0, 1)),
    Case(clip_values, lambda rng: (np.array([-0.9, -0.2, 0.1, 0.3, 0.8, -0.7])
                                   + vec(rng, 6, -0.05, 0.05),)),
    Case(constructors_like, lambda rng: (vec(rng, 4),)),
    Case(constructors_arange_linspace_eye, lambda rng: (vec(rng, 4),)),
    Case(cumsum_diff, lambda rng: (vec(rng, 5),)),
    Case(sort_values, lambda rng: (distinct(rng, 5),)),
    Case(flip_roll, lambda rng: (vec(rng, 5),), autograd=False,
         note="autograd has no VJP for np.flip"),
    Case(repeat_tile, lambda rng: (vec(rng, 3),)),
    Case(squeeze_expand, lambda rng: (vec(rng, 4),)),
    Case(var_std, lambda rng: (vec(rng, 5), vec(rng, (2, 4))), wrt=(0, 1)),
    Case(softplus_sigmoid, lambda rng: (vec(rng, 5),)),
    Case(linalg_solve, lambda rng: (np.eye(3) * 3.0 + vec(rng, (3, 3)), vec(rng, 3)),
         wrt=(0, 1)),
    Case(triu_tril, lambda rng: (vec(rng, (3, 3)),)),
]
