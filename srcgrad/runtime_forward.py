"""Tangents of the runtime helpers that reverse-mode code calls.

Second derivatives run forward mode over generated reverse-mode code, so each
helper that code calls needs a tangent.  Helpers linear in the cotangent get
theirs from a one-line rule in :mod:`srcgrad.rules.runtime_rules`; the
functions here are the tangents of helpers that are nonlinear in a primal
argument (``det_grad`` reads ``inv(a)``, ``cumprod_grad`` multiplies by the
running product, ...).  Each takes the tangents first (``dg``, ``da``, ...;
the literal ``0.0`` for a zero tangent, see ``_is_zero``) and then the
helper's own arguments, and returns the tangent of the helper's result.
"""

import math

import numpy as np

from srcgrad.runtime import _is_zero, _keep, cumsum_grad, prod_grad_jvp, unbroadcast, zeros_like
from srcgrad.runtime_linalg import (
    _T,
    _copyltu,
    _diag_embed,
    _eye_like,
    _lower,
    _norm_axes,
    _phi,
    _safe_divide,
    _sym_read,
    _sym_read_adjoint,
    _vector_b,
    cholesky_grad,
    det_grad,
    eigvalsh_grad,
    matrix_power_grad,
    multi_dot_grad,
    norm_vjp,
    pinv_grad,
    pinv_jvp,
    slogdet_grad,
    solve_grad_a,
    solve_grad_b,
    svd_jvp,
    vector_norm_vjp,
)
from srcgrad.runtime_numpy import (
    _along_last,
    _interp_parts,
    _last,
    _quantile_parts,
    _unlast,
    _weights_back,
    _weights_full,
    average_grad_a,
    average_grad_w,
    interp_grad_fp,
    interp_grad_x,
    interp_grad_xp,
    nan_zero,
    nanvar_grad,
    polyval_grad_p,
    polyval_grad_x,
    quantile_grad,
    quantile_grad_q,
    vander_grad,
)

__all__ = ["det_grad_jvp", "slogdet_grad_jvp", "solve_grad_a_jvp", "solve_grad_b_jvp",
           "matrix_power_grad_jvp", "cumprod_grad_jvp", "cumulative_grad_jvp",
           "nanvar_grad_jvp", "average_grad_a_jvp", "average_grad_w_jvp",
           "norm_vjp_jvp", "interp_grad_x_jvp", "bilinear_jvp", "multi_dot_grad_jvp",
           "pinv_grad_jvp", "cholesky_grad_jvp", "interp_grad_fp_jvp", "quantile_grad_jvp",
           "vector_norm_vjp_jvp", "nanprod_grad_jvp", "polyval_grad_p_jvp", "polyval_grad_x_jvp",
           "vander_grad_jvp", "sinc_deriv_jvp", "trigamma", "quantile_grad_q_jvp",
           "interp_grad_xp_jvp", "eigvalsh_grad_jvp", "eigh_grad_jvp", "qr_grad_jvp",
           "svd_grad_jvp", "lstsq_grad_a_jvp", "lstsq_grad_b_jvp"]


def _add(t, u):
    """``t + u`` where either may be the literal zero tangent."""
    if _is_zero(t):
        return u
    return t if _is_zero(u) else t + u


def _done(t, like):
    """A tangent that stayed zero becomes zeros shaped like the helper's result."""
    return zeros_like(like) if _is_zero(t) else t


def bilinear_jvp(helper, dg, g, dother, args, k, *rest):
    """Tangent of ``helper(g, *args, *rest)``, linear in ``g`` and in ``args[k]``."""
    t = 0.0 if _is_zero(dg) else helper(dg, *args, *rest)
    if not _is_zero(dother):
        moved = list(args)
        moved[k] = dother
        t = _add(t, helper(g, *moved, *rest))
    return _done(t, helper(g, *args, *rest)) if _is_zero(t) else t


def det_grad_jvp(dg, dres, da, g, res, a):
    """Tangent of ``det_grad(g, res, a) = g res inv(a).T``."""
    t = 0.0
    scale = _add(0.0 if _is_zero(dg) else dg * res, 0.0 if _is_zero(dres) else g * dres)
    if not _is_zero(scale):
        t = det_grad(scale, 1.0, a)
    if not _is_zero(da):
        inv = np.linalg.inv(a)
        t = _add(t, -np.expand_dims(g * res, (-2, -1)) * _T(inv @ da @ inv))
    return _done(t, a)


def slogdet_grad_jvp(dg, da, g, a):
    """Tangent of ``slogdet_grad(g, a) = g[1] inv(a).T`` (``g`` is a pair)."""
    t = 0.0
    if not _is_zero(dg) and not _is_zero(dg[1]):
        t = slogdet_grad((0.0, dg[1]), a)
    if not _is_zero(da):
        inv = np.linalg.inv(a)
        t = _add(t, -np.expand_dims(g[1], (-2, -1)) * _T(inv @ da @ inv))
    return _done(t, a)


def _solve_t(a, b, g):
    """``solve(a.T, g)`` as ``solve_grad_b`` reads ``g`` (before unbroadcasting)."""
    if _vector_b(a, b):
        return np.linalg.solve(_T(a), np.expand_dims(g, -1))[..., 0]
    return np.linalg.solve(_T(a), g)


def _solve_t_tangent(dg, da, g, a, b):
    """The tangent ``solve(a.T, g)`` passes on as a tangent of its ``g``.

    d solve(a.T, g) = solve(a.T, dg - da.T solve(a.T, g)); returned is the
    ``dg - da.T solve(a.T, g)`` to hand to the helper in place of ``g``.
    """
    if _is_zero(da):
        return dg
    s = _solve_t(a, b, g)
    corr = _T(da) @ s if not _vector_b(a, b) else (_T(da) @ s[..., None])[..., 0]
    return -corr if _is_zero(dg) else dg - corr


def solve_grad_b_jvp(dg, da, g, a, b):
    """Tangent of ``solve_grad_b(g, a, b) = solve(a.T, g)``."""
    u = _solve_t_tangent(dg, da, g, a, b)
    return zeros_like(b) if _is_zero(u) else solve_grad_b(u, a, b)


def solve_grad_a_jvp(dg, dres, da, g, res, a, b):
    """Tangent of ``solve_grad_a(g, res, a, b) = -solve(a.T, g) res.T``."""
    u = _solve_t_tangent(dg, da, g, a, b)
    t = 0.0 if _is_zero(u) else solve_grad_a(u, res, a, b)
    if not _is_zero(dres):
        t = _add(t, solve_grad_a(g, dres, a, b))
    return _done(t, a)


def matrix_power_grad_jvp(dg, da, g, a, n):
    """Tangent of ``matrix_power_grad(g, a, n) = sum_k (a^k).T g (a^(n-1-k)).T``."""
    t = 0.0 if _is_zero(dg) else matrix_power_grad(dg, a, n)
    if _is_zero(da) or n == 0:
        return _done(t, a)
    if n < 0:
        b = np.linalg.inv(a)
        db = -b @ da @ b
        gb = matrix_power_grad(g, b, -n)
        dgb = matrix_power_grad_jvp(0.0, db, g, b, -n)
        t = _add(t, -(_T(db) @ gb @ _T(b) + _T(b) @ dgb @ _T(b) + _T(b) @ gb @ _T(db)))
        return t
    powers, dpowers = [np.ones_like(a) * np.eye(a.shape[-1], dtype=a.dtype)], [zeros_like(a)]
    for _ in range(1, n):
        powers.append(powers[-1] @ a)
        dpowers.append(dpowers[-1] @ a + powers[-2] @ da)
    for k in range(n):
        t = _add(t, _T(dpowers[k]) @ g @ _T(powers[n - 1 - k])
                 + _T(powers[k]) @ g @ _T(dpowers[n - 1 - k]))
    return t


def cumprod_grad_jvp(dg, dres, da, g, res, a, axis=None):
    """Tangent of :func:`cumprod_grad`, following its backward recurrence.

    acc[j] = g[j] + a[j+1] acc[j+1] and out[j] = acc[j] p[j-1], so
    dacc[j] = dg[j] + da[j+1] acc[j+1] + a[j+1] dacc[j+1] and
    dout[j] = dacc[j] p[j-1] + acc[j] dp[j-1].
    """
    x, gl, p = _last(a, axis), _last(g, axis), _last(res, axis)
    dx, dgl, dp = (zeros_like(v) if _is_zero(d) else _last(d, axis)
                   for d, v in ((da, x), (dg, gl), (dres, p)))
    n = x.shape[-1]
    out = zeros_like(gl * x)
    acc, dacc = zeros_like(out[..., 0]), zeros_like(out[..., 0])
    for j in range(n - 1, -1, -1):
        if j + 1 < n:
            dacc = dgl[..., j] + dx[..., j + 1] * acc + x[..., j + 1] * dacc
            acc = gl[..., j] + x[..., j + 1] * acc
        else:
            dacc, acc = dgl[..., j] + dacc, gl[..., j] + acc
        out[..., j] = dacc * p[..., j - 1] + acc * dp[..., j - 1] if j > 0 else dacc
    return _unlast(out, a, axis)


def cumulative_grad_jvp(f, dg, dres, dx, g, res, x, axis=None, include_initial=False):
    """Tangent of :func:`cumulative_grad` (``f``: "sum" or "prod")."""
    ax = 0 if axis is None else axis
    if include_initial:
        keep = np.arange(1, np.shape(g)[ax])
        g, res = np.take(g, keep, axis=ax), np.take(res, keep, axis=ax)
        dg = dg if _is_zero(dg) else np.take(dg, keep, axis=ax)
        dres = dres if _is_zero(dres) else np.take(dres, keep, axis=ax)
    if f == "sum":
        return zeros_like(x) if _is_zero(dg) else cumsum_grad(dg, x, ax)
    return cumprod_grad_jvp(dg, dres, dx, g, res, x, ax)


def nanvar_grad_jvp(dg, da, g, a, axis=None, ddof=0, keepdims=False):
    """Tangent of ``nanvar_grad = g (a - nanmean(a)) 2 / (count - ddof)`` (NaNs skipped)."""
    t = 0.0 if _is_zero(dg) else nanvar_grad(dg, a, axis, ddof, keepdims)
    if not _is_zero(da):
        ok = ~np.isnan(a)
        count = np.sum(ok, axis=axis, keepdims=True, dtype=a.dtype)
        dz = np.where(ok, da, 0)
        dcentered = np.where(ok, dz - np.sum(dz, axis=axis, keepdims=True) / count, 0)
        t = _add(t, _keep(g, a, axis, keepdims) * dcentered * (2.0 / (count - ddof)))
    return _done(t, a)


def _average_parts(da_w, a, axis, weights):
    w = _weights_full(a, axis, weights)
    total = np.sum(w * np.ones_like(a), axis=axis, keepdims=True)
    dw = _weights_full(a, axis, da_w) if not _is_zero(da_w) else 0.0
    dtotal = 0.0 if _is_zero(dw) else np.sum(dw * np.ones_like(a), axis=axis, keepdims=True)
    return w, total, dw, dtotal


def average_grad_a_jvp(dg, dweights, g, a, axis=None, weights=None, keepdims=False,
                       returned=False):
    """Tangent of ``average_grad_a = g w / sum(w)``: linear in ``g``, a quotient in ``w``."""
    t = 0.0 if _is_zero(dg) else average_grad_a(dg, a, axis, weights, keepdims, returned)
    if weights is not None and not _is_zero(dweights):
        w, total, dw, dtotal = _average_parts(dweights, a, axis, weights)
        gk = _keep(g, a, axis, keepdims)
        t = _add(t, gk * (dw / total - w * dtotal / total ** 2) * np.ones_like(a))
    return _done(t, a)


def average_grad_w_jvp(dg, dres, da, dweights, g, res, a, axis=None, weights=None,
                       keepdims=False):
    """Tangent of ``average_grad_w = weights_back(g (a - res) / sum(w))``."""
    t = 0.0 if _is_zero(dg) else average_grad_w(dg, res, a, axis, weights, keepdims)
    w, total, dw, dtotal = _average_parts(dweights, a, axis, weights)
    gk = _keep(g, a, axis, keepdims)
    dcentered = _add(0.0 if _is_zero(da) else da,
                     0.0 if _is_zero(dres) else -_keep(dres, a, axis, keepdims))
    u = 0.0 if _is_zero(dcentered) else gk * dcentered / total * np.ones_like(a)
    if not _is_zero(dtotal):
        u = _add(u, -gk * (a - _keep(res, a, axis, keepdims)) * dtotal / total ** 2)
    if not _is_zero(u):
        t = _add(t, _weights_back(u, a, axis, weights))
    return _done(t, weights)


def norm_vjp_jvp(dg, dres, dx, g, res, x, ord=None, axis=None, keepdims=False):
    """Tangent of ``norm_vjp = g d(res, x)`` with ``d`` the gradient of the norm.

    Vector norms with a finite ``ord`` (2, the Frobenius norm, any p) have
    d = sign(x) |x|^(p-1) / res^(p-1); ords 0, 1, inf, -inf and the matrix
    1, -1, inf, -inf norms have a direction that is constant away from ties,
    so only ``g`` moves it.  The matrix 2, -2 and nuclear norms follow the
    tangents of the singular vectors (undefined where singular values repeat).
    """
    t = 0.0 if _is_zero(dg) else norm_vjp(dg, res, x, ord, axis, keepdims)
    axes, matrix = _norm_axes(x, ord, axis)
    if matrix and ord in ("nuc", 2, -2):
        if _is_zero(dx):
            return _done(t, x)
        gk = g if keepdims else np.expand_dims(g, axes)
        return _add(t, gk * _matrix_dir_tangent(dx, x, ord, axes))
    p = 2 if ord is None or ord == "fro" else ord
    if (matrix and ord not in (None, "fro")) or p in (0, 1, np.inf, -np.inf):
        return _done(t, x)
    if _is_zero(dx) and _is_zero(dres):
        return _done(t, x)
    kept = res if keepdims else np.expand_dims(res, axes)
    gk = g if keepdims else np.expand_dims(g, axes)
    dkept = 0.0 if _is_zero(dres) else dres if keepdims else np.expand_dims(dres, axes)
    dd = _vector_dir_tangent(dkept, dx, kept, x, p)
    return _add(t, gk * dd)


def interp_grad_x_jvp(dg, dxp, dfp, g, x, xp, fp, period=None):
    """Tangent of ``interp_grad_x = g * slope`` (``x`` only picks the interval)."""
    t = 0.0 if _is_zero(dg) else interp_grad_x(dg, x, xp, fp, period)
    if _is_zero(dxp) and _is_zero(dfp):
        return _done(t, x)
    k, x0, x1, below, above = _interp_parts(x, xp, period)
    slope = (fp[k + 1] - fp[k]) / (x1 - x0)
    dslope = 0.0
    if not _is_zero(dfp):
        dslope = (dfp[k + 1] - dfp[k]) / (x1 - x0)
    if not _is_zero(dxp):
        dslope = _add(dslope, -slope * (dxp[k + 1] - dxp[k]) / (x1 - x0))
    return _add(t, g * np.where(below | above, 0, dslope))


def multi_dot_grad_jvp(dg, darrays, g, arrays):
    """Tangent of :func:`multi_dot_grad`: cotangent k is linear in ``g`` and each array j != k."""
    out = [0.0] * len(arrays) if _is_zero(dg) else list(multi_dot_grad(dg, arrays))
    if not _is_zero(darrays):
        for j, dj in enumerate(darrays):
            if _is_zero(dj):
                continue
            moved = list(arrays)
            moved[j] = dj
            for k, t in enumerate(multi_dot_grad(g, moved)):
                if k != j:
                    out[k] = _add(out[k], t)
    return [_done(t, x) for t, x in zip(out, arrays, strict=True)]


def pinv_grad_jvp(dg, dres, da, g, res, a, hermitian=False):
    """Tangent of :func:`pinv_grad`, a polynomial in ``g``, ``p = res`` and ``a``.

    pinv_grad = -p.T g p.T + (I - a p) g.T p p.T + p.T p g.T (I - p a); the
    product rule on each factor (``p`` and ``a`` taken as independent inputs).
    """
    t = 0.0 if _is_zero(dg) else pinv_grad(dg, res, a, hermitian)
    if _is_zero(dres) and _is_zero(da):
        return _done(t, a)
    p = res
    dp = zeros_like(p) if _is_zero(dres) else dres
    da = zeros_like(a) if _is_zero(da) else da
    eye_m, eye_n = _eye_like(a @ p), _eye_like(p @ a)
    gt = _T(g)
    u = -(_T(dp) @ g @ _T(p) + _T(p) @ g @ _T(dp))
    u = u - (da @ p + a @ dp) @ gt @ p @ _T(p) + (eye_m - a @ p) @ gt @ (dp @ _T(p) + p @ _T(dp))
    u = u + (_T(dp) @ p + _T(p) @ dp) @ gt @ (eye_n - p @ a) - _T(p) @ p @ gt @ (dp @ a + p @ da)
    return _add(t, u)


def cholesky_grad_jvp(dg, dres, g, res, upper=False):
    """Tangent of ``cholesky_grad = sym(L^-T phi(L.T g) L^-1)`` with ``L = res``."""
    t = 0.0 if _is_zero(dg) else cholesky_grad(dg, res, upper)
    if _is_zero(dres):
        return _done(t, res)
    linv = np.linalg.inv(res)
    dlinv = -linv @ dres @ linv
    inner = _phi(_T(res) @ g)
    ds = _T(dlinv) @ inner @ linv + _T(linv) @ _phi(_T(dres) @ g) @ linv + \
        _T(linv) @ inner @ dlinv
    return _add(t, _sym_read_adjoint(0.5 * (ds + _T(ds))))


def interp_grad_fp_jvp(dg, dx, dxp, g, x, xp, fp, left=None, right=None, period=None):
    """Tangent of :func:`interp_grad_fp`: the weights 1 - t, t move with ``x`` and the knots."""
    t = 0.0 if _is_zero(dg) else interp_grad_fp(dg, x, xp, fp, left, right, period)
    if _is_zero(dx) and _is_zero(dxp):
        return _done(t, fp)
    k, x0, x1, below, above = _interp_parts(x, xp, period)
    span = x1 - x0
    dpos = (0.0 if _is_zero(dx) else dx) - (0.0 if _is_zero(dxp) else dxp[k])
    dspan = 0.0 if _is_zero(dxp) else dxp[k + 1] - dxp[k]
    pos = (x - x0) / span
    inside = (pos > 0) & (pos < 1) & ~(below | above)
    dw1 = np.where(inside, dpos / span - pos * dspan / span, 0) * np.ones_like(pos)
    gw = g * dw1
    out = zeros_like(fp)
    np.add.at(out, np.ravel(k), -np.ravel(gw))
    np.add.at(out, np.ravel(k + 1), np.ravel(gw))
    return _add(t, out)


def quantile_grad_jvp(dg, dq, g, a, q, axis=None, keepdims=False, scale=1.0, method="linear"):
    """Tangent of :func:`quantile_grad`: the weight w = q scale (n-1) - rank moves with ``q``."""
    t = 0.0 if _is_zero(dg) else quantile_grad(dg, a, q, axis, keepdims, scale, method)
    if _is_zero(dq):
        return _done(t, a)
    lo, hi, w, moved_shape, flat, axes, dest = _quantile_parts(a, q, axis, scale, method)
    dw = np.ravel(dq * scale * np.ones_like(q)) * (flat.shape[-1] - 1)
    nq = np.ndim(q)
    lead = moved_shape[: len(moved_shape) - len(axes)]
    gq = np.reshape(g, np.shape(q) + lead)
    gq = np.moveaxis(np.reshape(gq, (-1,) + lead), 0, -1) if nq else np.expand_dims(gq, -1)
    out = zeros_like(flat)
    np.add.at(out, _along_last(lo), -gq * dw)
    np.add.at(out, _along_last(hi), gq * dw)
    return _add(t, np.moveaxis(np.reshape(out, moved_shape), dest, axes))


def _vector_dir_tangent(dres_kept, dx, kept, x, p):
    """Tangent of d = sign(x) (|x| / res)^(p-1), the gradient of a vector p-norm."""
    ax = np.abs(x)
    dd = 0.0
    if not _is_zero(dx):
        dd = (p - 1) * (ax / kept) ** (p - 2) * dx / kept
    if not _is_zero(dres_kept):
        dd = _add(dd, -(p - 1) * np.sign(x) * (ax / kept) ** (p - 1) * dres_kept / kept)
    return dd


def vector_norm_vjp_jvp(dg, dres, dx, g, res, x, axis=None, keepdims=False, ord=2):
    """Tangent of :func:`vector_norm_vjp` (see :func:`norm_vjp_jvp` for the ords)."""
    t = 0.0 if _is_zero(dg) else vector_norm_vjp(dg, res, x, axis, keepdims, ord)
    if ord in (0, 1, np.inf, -np.inf) or (_is_zero(dx) and _is_zero(dres)):
        return _done(t, x)
    axes = tuple(range(np.ndim(x))) if axis is None else axis
    axes = axes if isinstance(axes, tuple) else (axes,)
    kept = _keep(res, x, axes, keepdims)
    dkept = 0.0 if _is_zero(dres) else _keep(dres, x, axes, keepdims)
    return _add(t, _keep(g, x, axes, keepdims) * _vector_dir_tangent(dkept, dx, kept, x, ord))


def nanprod_grad_jvp(dg, da, g, a, axis=None, keepdims=False):
    """Tangent of ``nanprod_grad``: the product rule with NaNs counted as one."""
    ones = np.where(np.isnan(a), 1, a)
    dones = da if _is_zero(da) else np.where(np.isnan(a), 0, da)
    return nan_zero(_done(prod_grad_jvp(dg, dones, g, ones, axis, keepdims), a), a)


def polyval_grad_p_jvp(dg, dx, g, p, x):
    """Tangent of ``polyval_grad_p = [sum(g x^(n-1-i))]_i``."""
    t = 0.0 if _is_zero(dg) else polyval_grad_p(dg, p, x)
    if not _is_zero(dx):
        n = np.size(p)
        rows = [np.sum(g * dx * (n - 1 - i) * x ** max(n - 2 - i, 0)) for i in range(n)]
        t = _add(t, np.stack(rows).astype(np.result_type(g, p)))
    return _done(t, p)


def polyval_grad_x_jvp(dg, dp, dx, g, p, x):
    """Tangent of ``polyval_grad_x = g p'(x)``: linear in ``g`` and ``p``, p''(x) for ``x``."""
    t = 0.0 if _is_zero(dg) else polyval_grad_x(dg, p, x)
    if not _is_zero(dp):
        t = _add(t, polyval_grad_x(g, dp, x))
    n = np.size(p)
    if not _is_zero(dx) and n > 2:
        k = np.arange(n - 1, 1, -1, dtype=p.dtype)
        ddp = p[:-2] * k * (k - 1)
        t = _add(t, unbroadcast(g * np.polyval(ddp, x) * dx, x))
    return _done(t, x)


def vander_grad_jvp(dg, dx, g, x, N=None, increasing=False):
    """Tangent of ``vander_grad = sum(g k x^(k-1), axis=1)``."""
    t = 0.0 if _is_zero(dg) else vander_grad(dg, x, N, increasing)
    if not _is_zero(dx):
        n = np.size(x) if N is None else N
        k = np.arange(n) if increasing else np.arange(n - 1, -1, -1)
        second = k * (k - 1) * np.expand_dims(x, 1) ** np.where(k > 1, k - 2, 0)
        t = _add(t, np.sum(g * second, axis=1) * dx)
    return _done(t, x)


def sinc_deriv_jvp(dx, dres, x, res):
    """Tangent of ``sinc_deriv = (cos(pi x) - sinc(x)) / x`` (``res = sinc(x)``).

    At ``x == 0`` the helper is the constant 0 of the limit; there the
    tangent is the limit -pi^2/3 dx of sinc's second derivative (``dres``
    vanishes there along with sinc's first derivative).
    """
    safe = np.where(x == 0, 1, x)
    t = 0.0
    if not _is_zero(dx):
        dfx = -np.pi * np.sin(np.pi * safe) / safe - (np.cos(np.pi * safe) - res) / safe ** 2
        t = np.where(x == 0, -np.pi ** 2 / 3, dfx) * dx
    if not _is_zero(dres):
        t = _add(t, np.where(x == 0, 0, -dres / safe))
    if type(x) in (float, int):
        return float(t)
    return _done(t, x)


def trigamma(x):
    """The trigamma function psi'(x) for a Python float (derivative of digamma)."""
    if x <= 0 and x == math.floor(x):
        return math.nan
    if x < 0.5:  # reflection: psi'(1 - x) + psi'(x) = pi^2 / sin(pi x)^2
        return (math.pi / math.sin(math.pi * x)) ** 2 - trigamma(1.0 - x)
    acc = 0.0
    while x < 10.0:  # psi'(x) = psi'(x + 1) + 1/x^2
        acc += 1.0 / (x * x)
        x += 1.0
    inv = 1.0 / x
    inv2 = inv * inv
    series = inv + inv2 / 2 + inv * inv2 * (1 / 6 - inv2 * (1 / 30 - inv2 * (1 / 42 - inv2 / 30)))
    return acc + series


def quantile_grad_q_jvp(dg, da, g, a, q, axis=None, keepdims=False, scale=1.0,
                        method="linear"):
    """Tangent of ``quantile_grad_q``: the slope between the ranks is linear in ``a``."""
    t = 0.0 if _is_zero(dg) else quantile_grad_q(dg, a, q, axis, keepdims, scale, method)
    if _is_zero(da):
        return _done(t, q)
    lo, hi, w, moved_shape, flat, axes, dest = _quantile_parts(a, q, axis, scale, method)
    dflat = np.reshape(np.moveaxis(da, axes, dest), flat.shape)
    n = flat.shape[-1]
    dslope = (np.take_along_axis(dflat, hi, -1) - np.take_along_axis(dflat, lo, -1)) * \
        (n - 1) * scale
    lead = moved_shape[: len(moved_shape) - len(axes)]
    gq = np.reshape(g, np.shape(q) + lead)
    dslope = np.moveaxis(dslope, -1, 0) if np.ndim(q) else dslope[..., 0]
    dslope = np.reshape(dslope, np.shape(gq))
    return _add(t, unbroadcast(np.sum(np.reshape(gq * dslope, np.shape(q) + (-1,)), axis=-1), q))


def interp_grad_xp_jvp(dg, dx, dxp, dfp, g, x, xp, fp, period=None):
    """Tangent of :func:`interp_grad_xp`: slope and position t move with x, xp and fp."""
    t = 0.0 if _is_zero(dg) else interp_grad_xp(dg, x, xp, fp, period)
    if _is_zero(dx) and _is_zero(dxp) and _is_zero(dfp):
        return _done(t, xp)
    k, x0, x1, below, above = _interp_parts(x, xp, period)
    span = x1 - x0
    slope = (fp[k + 1] - fp[k]) / span
    pos = (x - x0) / span
    dxp = zeros_like(xp) if _is_zero(dxp) else dxp
    dfp = zeros_like(fp) if _is_zero(dfp) else dfp
    dx = 0.0 if _is_zero(dx) else dx
    dspan = dxp[k + 1] - dxp[k]
    dslope = (dfp[k + 1] - dfp[k]) / span - slope * dspan / span
    dpos = (dx - dxp[k]) / span - pos * dspan / span
    gi = np.where(below | above, 0, g)
    out = zeros_like(xp)
    np.add.at(out, np.ravel(k), np.ravel(gi * (dslope * (pos - 1) + slope * dpos)))
    np.add.at(out, np.ravel(k + 1), np.ravel(-gi * (dslope * pos + slope * dpos)))
    return _add(t, out)


def _filled(t, like):
    return zeros_like(like) if _is_zero(t) else t


def eigvalsh_grad_jvp(dg, da, g, a, UPLO="L"):
    """Tangent of ``eigvalsh_grad = sym(V diag(g) V.T)`` with V the eigenvectors of ``a``.

    dV = V (F * (V.T dA V)), F[i, j] = 1 / (w[j] - w[i]) off the diagonal, for
    the symmetric dA numpy reads; undefined where eigenvalues repeat.
    """
    t = 0.0 if _is_zero(dg) else eigvalsh_grad(dg, a, UPLO)
    if _is_zero(da):
        return _done(t, a)
    w, v = np.linalg.eigh(a, UPLO)
    diff = np.expand_dims(w, -2) - np.expand_dims(w, -1)
    dv = v @ _safe_divide(_T(v) @ _sym_read(da, _lower(UPLO)) @ v, diff)
    gd = _diag_embed(g * np.ones_like(w))
    ds = dv @ gd @ _T(v) + v @ gd @ _T(dv)
    return _add(t, _sym_read_adjoint(ds, _lower(UPLO)))


def eigh_grad_jvp(dg, dres, g, res, UPLO="L"):
    """Tangent of :func:`eigh_grad`, with ``res = (w, V)`` and ``g = (gw, gV)`` as inputs.

    eigh_grad = sym(V (diag(gw) + (V.T gV) / D) V.T) with D[i, j] = w[j] - w[i].
    """
    w, v = res
    gw, gv = g
    dgw, dgv = (0.0, 0.0) if _is_zero(dg) else dg
    dw, dv = (0.0, 0.0) if _is_zero(dres) else dres
    inner = _diag_embed(gw * np.ones_like(w))
    dinner = 0.0 if _is_zero(dgw) else _diag_embed(dgw * np.ones_like(w))
    if not (_is_zero(gv) and _is_zero(dgv)):
        gv = _filled(gv, v)
        diff = np.expand_dims(w, -2) - np.expand_dims(w, -1)
        x = _T(v) @ gv
        inner = inner + _safe_divide(x, diff)
        dx = _add(0.0 if _is_zero(dv) else _T(dv) @ gv, 0.0 if _is_zero(dgv) else _T(v) @ dgv)
        ddiff = 0.0 if _is_zero(dw) else np.expand_dims(dw, -2) - np.expand_dims(dw, -1)
        num = _add(0.0 if _is_zero(dx) else dx * diff, 0.0 if _is_zero(ddiff) else -x * ddiff)
        if not _is_zero(num):
            dinner = _add(dinner, _safe_divide(num, diff * diff))
    ds = 0.0 if _is_zero(dinner) else v @ dinner @ _T(v)
    if not _is_zero(dv):
        ds = _add(ds, dv @ inner @ _T(v) + v @ inner @ _T(dv))
    if _is_zero(ds):
        return zeros_like(v)
    return _sym_read_adjoint(0.5 * (ds + _T(ds)), _lower(UPLO))


def qr_grad_jvp(dg, dres, g, res, a, mode="reduced"):
    """Tangent of ``qr_grad = (gQ + Q copyltu(M)) R^-T``, M = R gR.T - gQ.T Q.

    ``res = (Q, R)`` and ``g = (gQ, gR)`` are taken as independent inputs.
    """
    q, r = res
    gq, gr = _filled(g[0], q), _filled(g[1], r)
    dgq, dgr = (0.0, 0.0) if _is_zero(dg) else dg
    dq, dr = (0.0, 0.0) if _is_zero(dres) else dres
    dgq, dgr, dq, dr = (_filled(t, x) for t, x in ((dgq, q), (dgr, r), (dq, q), (dr, r)))
    m = r @ _T(gr) - _T(gq) @ q
    b = gq + q @ _copyltu(m)
    dm = dr @ _T(gr) + r @ _T(dgr) - _T(dgq) @ q - _T(gq) @ dq
    db = dgq + dq @ _copyltu(m) + q @ _copyltu(dm)
    # out.T = solve(R, b.T), so d out.T = solve(R, db.T) - solve(R, dR solve(R, b.T))
    out = _T(np.linalg.solve(r, _T(db)))
    return out - _T(np.linalg.solve(r, dr @ np.linalg.solve(r, _T(b))))


def _safe_divide_tangent(dx, x, f, df):
    """Tangent of ``_safe_divide(x, f)``: (dx f - x df) / f^2 off the diagonal."""
    return _safe_divide(dx * f - x * df, f * f)


def _svd_core_jvp(dgu, dgs, dgvh, du, ds, dvh, gu, gs, gvh, u, s, vh):
    """Tangent of ``_svd_core`` (Townsend's formula), all twelve inputs independent."""
    use_u = not (_is_zero(gu) and _is_zero(dgu))
    use_v = not (_is_zero(gvh) and _is_zero(dgvh))
    gu, dgu, gvh, dgvh = (_filled(t, x) for t, x in ((gu, u), (dgu, u), (gvh, vh), (dgvh, vh)))
    du, ds, dvh, dgs = (_filled(t, x) for t, x in ((du, u), (ds, s), (dvh, vh), (dgs, s)))
    v, dv, gv, dgv = _T(vh), _T(dvh), _T(gvh), _T(dgvh)
    ones = np.ones_like(s)
    inner, dinner = _diag_embed(gs * ones), _diag_embed(dgs * ones)
    out, dout = 0.0, 0.0
    f = np.expand_dims(s * s, -2) - np.expand_dims(s * s, -1)
    df = np.expand_dims(2 * s * ds, -2) - np.expand_dims(2 * s * ds, -1)
    smat, dsmat = _diag_embed(s), _diag_embed(ds)
    sinv, dsinv = 1 / np.expand_dims(s, -2), -np.expand_dims(ds / (s * s), -2)
    if use_u:
        k, dk = _T(u) @ gu, _T(du) @ gu + _T(u) @ dgu
        q, dq = _safe_divide(k - _T(k), f), _safe_divide_tangent(dk - _T(dk), k - _T(k), f, df)
        inner, dinner = inner + q @ smat, dinner + dq @ smat + q @ dsmat
        proj, dproj = gu - u @ k, dgu - du @ k - u @ dk
        out = out + (proj * sinv) @ vh
        dout = dout + (dproj * sinv + proj * dsinv) @ vh + (proj * sinv) @ dvh
    if use_v:
        k, dk = _T(v) @ gv, _T(dv) @ gv + _T(v) @ dgv
        q, dq = _safe_divide(k - _T(k), f), _safe_divide_tangent(dk - _T(dk), k - _T(k), f, df)
        inner, dinner = inner + smat @ q, dinner + dsmat @ q + smat @ dq
        proj, dproj = gv - v @ k, dgv - dv @ k - v @ dk
        out = out + u @ _T(proj * sinv)
        dout = dout + du @ _T(proj * sinv) + u @ _T(dproj * sinv + proj * dsinv)
    return _add(du @ inner @ vh + u @ dinner @ vh + u @ inner @ dvh, dout)


def svd_grad_jvp(dg, dres, da, g, res, a, full_matrices=True, compute_uv=True,
                 hermitian=False):
    """Tangent of :func:`svd_grad`; undefined where singular values repeat."""
    if not compute_uv:
        u, _, vh = np.linalg.svd(a, full_matrices=False)
        du = dvh = 0.0
        if not _is_zero(da):
            du, _, dvh = svd_jvp(da, (u, res, vh), a, full_matrices=False)
        return _svd_core_jvp(0.0, dg, 0.0, du, dres, dvh, 0.0, g, 0.0, u, res, vh)
    u, s, vh = res
    dgu, dgs, dgvh = (0.0, 0.0, 0.0) if _is_zero(dg) else dg
    du, ds, dvh = (0.0, 0.0, 0.0) if _is_zero(dres) else dres
    return _svd_core_jvp(dgu, dgs, dgvh, du, ds, dvh, g[0], g[1], g[2], u, s, vh)


def _matrix_dir_tangent(dx, x, ord, axes):
    """Tangent of the gradient of the matrix 2, -2 or nuclear norm over ``axes``.

    nuc: d = U Vh; 2 / -2: d = u_k vh_k for the largest / smallest singular
    value; their tangents follow the singular vectors'.
    """
    xm, dxm = np.moveaxis(x, axes, (-2, -1)), np.moveaxis(dx, axes, (-2, -1))
    u, s, vh = np.linalg.svd(xm, full_matrices=False)
    du, _, dvh = svd_jvp(dxm, (u, s, vh), xm, full_matrices=False)
    if ord == "nuc":
        dd = du @ vh + u @ dvh
    else:
        k = 0 if ord == 2 else -1
        dd = np.expand_dims(du[..., :, k], -1) * np.expand_dims(vh[..., k, :], -2) + \
            np.expand_dims(u[..., :, k], -1) * np.expand_dims(dvh[..., k, :], -2)
    return np.moveaxis(dd, (-2, -1), axes)


def _parts(t, n):
    """The ``n`` entries of a tuple tangent (each maybe the literal zero)."""
    return (0.0,) * n if _is_zero(t) else tuple(t)


def lstsq_grad_a_jvp(dg, dres, da, db, g, res, a, b):
    """Tangent of :func:`lstsq_grad_a` (full rank), ``res = (x, residuals, rank, s)``.

    Its three terms: pinv_grad(gx b.T, pinv(a), a), -2 (r * gres) x.T with
    r = b - a x, and the singular values' part of the svd cotangent.
    """
    x, resid, _, s = res
    gx, gres, _, gs = g
    dgx, dgres, _, dgs = _parts(dg, 4)
    dx, _, _, ds = _parts(dres, 4)
    da, db = _filled(da, a), _filled(db, b)
    p = np.linalg.pinv(a)
    dp = pinv_jvp(da, p, a)
    vec = np.ndim(b) == 1
    b2, x2, gx2, db2, dx2, dgx2 = (
        _filled(v, like)[:, None] if vec else _filled(v, like)
        for v, like in ((b, b), (x, x), (gx, x), (db, b), (dx, x), (dgx, x)))
    out = pinv_grad_jvp(dgx2 @ _T(b2) + gx2 @ _T(db2), dp, da, gx2 @ _T(b2), p, a)
    if np.size(resid):
        gres, dgres = _filled(gres, resid), _filled(dgres, resid)
        r = b2 - a @ x2
        dr = db2 - da @ x2 - a @ dx2
        out = out - 2 * ((dr * gres + r * dgres) @ _T(x2) + (r * gres) @ _T(dx2))
    if not (_is_zero(gs) and _is_zero(dgs)):
        u, sa, vh = np.linalg.svd(a, full_matrices=False)
        du, _, dvh = svd_jvp(da, (u, sa, vh), a, full_matrices=False)
        out = out + _svd_core_jvp(0.0, dgs, 0.0, du, ds, dvh, 0.0, _filled(gs, s), 0.0, u, s,
                                  vh)
    return out


def lstsq_grad_b_jvp(dg, dres, da, db, g, res, a, b):
    """Tangent of ``lstsq_grad_b = pinv(a).T gx + 2 (b - a x) gres``."""
    x, resid = res[0], res[1]
    gx, gres = g[0], g[1]
    dgx, dgres = _parts(dg, 4)[:2]
    dx = _parts(dres, 4)[0]
    da = _filled(da, a)
    p = np.linalg.pinv(a)
    out = _T(pinv_jvp(da, p, a)) @ _filled(gx, x)
    if not _is_zero(dgx):
        out = out + _T(p) @ dgx
    if np.size(resid):
        vec = np.ndim(b) == 1
        gres, dgres = _filled(gres, resid), _filled(dgres, resid)
        gr, dgr = (gres[0], dgres[0]) if vec else (gres, dgres)
        r = b - a @ x
        dr = _filled(db, b) - da @ x - a @ _filled(dx, x)
        out = out + 2 * (dr * gr + r * dgr)
    return out
