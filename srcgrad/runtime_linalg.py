"""Runtime helpers for the ``numpy.linalg`` rules (``srcgrad/rules/linalg_rules.py``).

Re-exported by :mod:`srcgrad.runtime`.  Every helper accepts stacks of
matrices (``(..., m, n)``), as numpy's linalg functions do, and works on real
arrays; complex arguments are refused before a gradient is computed (see
``docs/rules.md``).

Conventions documented in ``docs/linalg.md``:

- functions that read one triangle of a symmetric argument (``cholesky``,
  ``eigh``, ``eigvalsh``) get the gradient of that reading: the cotangent
  lives on the triangle numpy reads, as finite differences see it;
- eigenvector and singular-vector gradients are undefined where eigenvalues
  (singular values) repeat; there the gradient is ``inf`` or ``nan``, never a
  finite wrong number, unless the cotangent does not involve those vectors;
- a singular matrix where an inverse is needed raises numpy's ``LinAlgError``.
"""

import numpy as np

from srcgrad.errors import SrcgradError
from srcgrad.runtime import _beside, _keep, minmax_grad, unbroadcast, zeros_like


def _T(x):
    return np.swapaxes(x, -1, -2)


def _zero(t):
    return type(t) in (float, int) and t == 0


def _eye_like(x):
    n = x.shape[-1]
    return np.eye(n, dtype=x.dtype, like=x)


def _diag_embed(v):
    """A stack of diagonal matrices from a stack of vectors."""
    return np.expand_dims(v, -1) * _eye_like(v[..., None] * np.ones_like(v[..., None, :]))


def _diag_part(m):
    return np.diagonal(m, axis1=-2, axis2=-1)


def _safe_divide(x, d):
    """``x / d`` off the diagonal, 0 on it; 0 wherever ``x`` is 0 (so unused
    eigenvectors cost nothing at repeated eigenvalues), inf/nan otherwise."""
    eye = _eye_like(x) != 0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(eye | (x == 0), 0, x / d)


# -- solve, inv, det -------------------------------------------------------------------


def _vector_b(a, b):
    return np.ndim(b) == 1


def solve_grad_b(g, a, b):
    """Cotangent of ``b`` in ``x = np.linalg.solve(a, b)``."""
    if _vector_b(a, b):
        t = np.linalg.solve(_T(a), np.expand_dims(g, -1))[..., 0]
    else:
        t = np.linalg.solve(_T(a), g)
    return unbroadcast(t, b)


def solve_grad_a(g, ans, a, b):
    """Cotangent of ``a`` in ``x = np.linalg.solve(a, b)``: -solve(a.T, g) x.T."""
    if _vector_b(a, b):
        gb = np.linalg.solve(_T(a), np.expand_dims(g, -1))
        return unbroadcast(-gb * np.expand_dims(ans, -2), a)
    gb = np.linalg.solve(_T(a), g)
    return unbroadcast(-np.matmul(gb, _T(ans)), a)


def solve_jvp(da, db, ans, a, b):
    """Tangent of ``np.linalg.solve(a, b)``."""
    rhs = 0.0 * ans if _zero(db) else db * np.ones_like(ans)
    if not _zero(da):
        if _vector_b(a, b):
            rhs = rhs - np.matmul(da, np.expand_dims(ans, -1))[..., 0]
        else:
            rhs = rhs - np.matmul(da, ans)
    if _vector_b(a, b):
        return np.linalg.solve(a, np.expand_dims(rhs, -1))[..., 0]
    return np.linalg.solve(a, rhs)


def det_grad(g, ans, a):
    """Cotangent of ``a`` in ``np.linalg.det(a)``: g det(a) inv(a).T."""
    return np.expand_dims(g * ans, (-2, -1)) * _T(np.linalg.inv(a))


def logdet_jvp(da, a):
    """d log|det a| = trace(solve(a, da))."""
    return np.trace(np.linalg.solve(a, da), axis1=-2, axis2=-1)


def slogdet_grad(g, a):
    """Cotangent of ``a`` in ``sign, logabsdet = np.linalg.slogdet(a)`` (the sign is flat)."""
    return np.expand_dims(_beside(a, g[1]), (-2, -1)) * _T(np.linalg.inv(a))


def matrix_power_grad(g, a, n):
    """Cotangent of ``a`` in ``np.linalg.matrix_power(a, n)``."""
    if n == 0:
        return zeros_like(a)
    if n < 0:
        b = np.linalg.inv(a)
        gb = matrix_power_grad(g, b, -n)
        return -_T(b) @ gb @ _T(b)
    powers = [None] * n  # powers[k] = a^k
    powers[0] = np.ones_like(a) * _eye_like(a)
    for k in range(1, n):
        powers[k] = powers[k - 1] @ a
    out = zeros_like(a)
    for k in range(n):
        out = out + _T(powers[k]) @ g @ _T(powers[n - 1 - k])
    return out


def matrix_power_jvp(da, a, n):
    """Tangent of ``np.linalg.matrix_power(a, n)``."""
    if n == 0:
        return zeros_like(a)
    if n < 0:
        b = np.linalg.inv(a)
        return matrix_power_jvp(-b @ da @ b, b, -n)
    powers = [np.ones_like(a) * _eye_like(a)]
    for _ in range(1, n):
        powers.append(powers[-1] @ a)
    out = zeros_like(a)
    for k in range(n):
        out = out + powers[k] @ da @ powers[n - 1 - k]
    return out


# -- symmetric matrices --------------------------------------------------------------


def _sym_read(da, lower=True):
    """The symmetric matrix numpy sees when it reads one triangle of ``da``."""
    if lower:
        t = np.tril(da)
        return t + _T(np.tril(da, -1))
    t = np.triu(da)
    return t + _T(np.triu(da, 1))


def _sym_read_adjoint(s, lower=True):
    """Adjoint of :func:`_sym_read`: the cotangent of the triangle read."""
    both = s + _T(s)
    diag = _diag_embed(_diag_part(s))
    return (np.tril(both) if lower else np.triu(both)) - diag


def _phi(x):
    """Lower triangle with the diagonal halved."""
    return np.tril(x) - 0.5 * _diag_embed(_diag_part(x))


def _check_upper(upper):
    if upper:
        raise SrcgradError(
            "srcgrad: the derivative of cholesky(upper=True) is not implemented; "
            "use cholesky(a) and transpose the result"
        )


def cholesky_grad(g, ans, upper=False):
    """Cotangent of ``a`` in ``L = np.linalg.cholesky(a)`` (numpy reads the lower triangle)."""
    _check_upper(upper)
    linv = np.linalg.inv(ans)
    s = _T(linv) @ _phi(_T(ans) @ g) @ linv
    return _sym_read_adjoint(0.5 * (s + _T(s)))


def cholesky_jvp(da, ans, upper=False):
    """Tangent of ``np.linalg.cholesky(a)``: L phi(L^-1 dA L^-T)."""
    _check_upper(upper)
    linv = np.linalg.inv(ans)
    return ans @ _phi(linv @ _sym_read(da) @ _T(linv))


def _lower(UPLO):
    return str(UPLO).upper() == "L"


def eigh_grad(g, ans, UPLO="L"):
    """Cotangent of ``a`` in ``w, v = np.linalg.eigh(a)``.

    V (diag(gw) + F * (V.T gV)) V.T with F[i, j] = 1 / (w[j] - w[i]).
    """
    w, v = ans
    gw, gv = g
    inner = _diag_embed(gw * np.ones_like(w))
    if not _zero(gv):
        diff = np.expand_dims(w, -2) - np.expand_dims(w, -1)
        inner = inner + _safe_divide(_T(v) @ gv, diff)
    s = v @ inner @ _T(v)
    return _sym_read_adjoint(0.5 * (s + _T(s)), _lower(UPLO))


def eigh_jvp(da, ans, UPLO="L"):
    """Tangent of ``np.linalg.eigh(a)``: (diag(V.T dA V), V (F * (V.T dA V)))."""
    w, v = ans
    p = _T(v) @ _sym_read(da, _lower(UPLO)) @ v
    diff = np.expand_dims(w, -2) - np.expand_dims(w, -1)
    return _diag_part(p), v @ _safe_divide(p, diff)


def eigvalsh_grad(g, a, UPLO="L"):
    """Cotangent of ``a`` in ``np.linalg.eigvalsh(a)``."""
    v = np.linalg.eigh(a, UPLO)[1]
    s = v @ _diag_embed(g) @ _T(v)
    return _sym_read_adjoint(s, _lower(UPLO))


def eigvalsh_jvp(da, a, UPLO="L"):
    """Tangent of ``np.linalg.eigvalsh(a)``."""
    v = np.linalg.eigh(a, UPLO)[1]
    return _diag_part(_T(v) @ _sym_read(da, _lower(UPLO)) @ v)


# -- QR and SVD ------------------------------------------------------------------------


def _check_qr(a, mode):
    m, n = a.shape[-2:]
    if mode != "reduced" and not (mode == "complete" and m <= n):
        raise SrcgradError(
            f"srcgrad: the derivative of qr(mode={mode!r}) is not implemented; use mode='reduced'"
        )
    if m < n:
        raise SrcgradError(
            "srcgrad: the derivative of qr is implemented for tall or square "
            f"matrices only (m >= n), not {m} x {n}"
        )


def _copyltu(m):
    return np.tril(m) + _T(np.tril(m, -1))


def qr_grad(g, ans, a, mode="reduced"):
    """Cotangent of ``a`` in ``q, r = np.linalg.qr(a)`` (m >= n, full rank).

    (gQ + Q copyltu(M)) R^-T with M = R gR.T - gQ.T Q.
    """
    _check_qr(a, mode)
    q, r = ans
    gq, gr = g
    m = r @ _T(gr) - _T(gq) @ q
    b = gq + q @ _copyltu(m)
    return _T(np.linalg.solve(r, _T(b)))


def qr_jvp(da, ans, a, mode="reduced"):
    """Tangent of ``np.linalg.qr(a)``."""
    _check_qr(a, mode)
    q, r = ans
    rinv = np.linalg.inv(r)
    x = _T(q) @ da @ rinv
    low = np.tril(x, -1)
    omega = low - _T(low)
    dr = (x - omega) @ r
    dq = da @ rinv - q @ (x - omega)
    return dq, dr


def _check_svd(a, full_matrices, compute_uv, hermitian):
    m, n = a.shape[-2:]
    if hermitian:
        raise SrcgradError("srcgrad: the derivative of svd(hermitian=True) is not implemented")
    if compute_uv and full_matrices and m != n:
        raise SrcgradError(
            "srcgrad: the derivative of svd(full_matrices=True) of a non-square matrix is not "
            "defined (the extra singular vectors are arbitrary); pass full_matrices=False"
        )


def _svd_core(gu, gs, gvh, u, s, vh):
    """Cotangent of ``a`` from those of the thin ``u, s, vh`` (Townsend's formula)."""
    v, gv = _T(vh), None if _zero(gvh) else _T(gvh)
    inner = _diag_embed(gs * np.ones_like(s))
    out = 0.0
    s2 = s * s
    f = np.expand_dims(s2, -2) - np.expand_dims(s2, -1)  # f[i, j] = s_j^2 - s_i^2
    smat = _diag_embed(s)
    sinv = 1 / np.expand_dims(s, -2)
    if not _zero(gu):
        ut_gu = _T(u) @ gu
        inner = inner + _safe_divide(ut_gu - _T(ut_gu), f) @ smat
        proj = gu - u @ ut_gu
        out = out + (proj * sinv) @ vh
    if gv is not None:
        vt_gv = _T(v) @ gv
        inner = inner + smat @ _safe_divide(vt_gv - _T(vt_gv), f)
        proj = gv - v @ vt_gv
        out = out + u @ _T(proj * sinv)
    return u @ inner @ vh + out


def svd_grad(g, ans, a, full_matrices=True, compute_uv=True, hermitian=False):
    """Cotangent of ``a`` in ``np.linalg.svd(a, ...)``."""
    _check_svd(a, full_matrices, compute_uv, hermitian)
    if not compute_uv:
        u, _, vh = np.linalg.svd(a, full_matrices=False)
        return _svd_core(0.0, g, 0.0, u, ans, vh)
    u, s, vh = ans
    return _svd_core(g[0], g[1], g[2], u, s, vh)


def svd_jvp(da, ans, a, full_matrices=True, compute_uv=True, hermitian=False):
    """Tangent of ``np.linalg.svd(a, ...)``."""
    _check_svd(a, full_matrices, compute_uv, hermitian)
    if not compute_uv:
        u, _, vh = np.linalg.svd(a, full_matrices=False)
        return _diag_part(_T(u) @ da @ _T(vh))
    u, s, vh = ans
    v = _T(vh)
    p = _T(u) @ da @ v
    ds = _diag_part(p)
    s2 = s * s
    f = np.expand_dims(s2, -2) - np.expand_dims(s2, -1)
    smat = _diag_embed(s)
    sinv = 1 / np.expand_dims(s, -2)
    du = u @ _safe_divide(p @ smat + smat @ _T(p), f)
    du = du + ((da @ v - u @ p) * sinv)
    dv = v @ _safe_divide(smat @ p + _T(p) @ smat, f)
    dv = dv + ((_T(da) @ u - v @ _T(p)) * sinv)
    return du, ds, _T(dv)


def _check_pinv(hermitian):
    if hermitian:
        raise SrcgradError("srcgrad: the derivative of pinv(hermitian=True) is not implemented; "
                           "use pinv(a)")


def pinv_grad(g, ans, a, hermitian=False):
    """Cotangent of ``a`` in ``p = np.linalg.pinv(a)`` (constant rank)."""
    _check_pinv(hermitian)
    p = ans
    eye_m = _eye_like(a @ p)
    eye_n = _eye_like(p @ a)
    out = -_T(p) @ g @ _T(p)
    out = out + (eye_m - a @ p) @ _T(g) @ p @ _T(p)
    out = out + _T(p) @ p @ _T(g) @ (eye_n - p @ a)
    return out


def pinv_jvp(da, ans, a, hermitian=False):
    """Tangent of ``np.linalg.pinv(a)`` (constant rank)."""
    _check_pinv(hermitian)
    p = ans
    eye_m = _eye_like(a @ p)
    eye_n = _eye_like(p @ a)
    return -p @ da @ p + p @ _T(p) @ _T(da) @ (eye_m - a @ p) + (eye_n - p @ a) @ _T(da) @ _T(p) @ p


def lstsq_grad_a(g, ans, a, b):
    """Cotangent of ``a`` in ``x, res, rank, s = np.linalg.lstsq(a, b)`` (full rank)."""
    x, res, _, s = ans
    gx, gres, _, gs = g
    p = np.linalg.pinv(a)
    vec = np.ndim(b) == 1
    b2, x2, gx2 = (v[:, None] if vec else v for v in (b, x, gx))
    out = pinv_grad(gx2 @ _T(b2), p, a)
    if np.size(res):
        r = b2 - a @ x2
        out = out - 2 * (r * gres) @ _T(x2)
    if not _zero(gs):
        u, _, vh = np.linalg.svd(a, full_matrices=False)
        out = out + _svd_core(0.0, gs, 0.0, u, s, vh)
    return out


def lstsq_grad_b(g, ans, a, b):
    """Cotangent of ``b`` in ``np.linalg.lstsq(a, b)``."""
    x, res, _, _ = ans
    gx, gres = g[0], g[1]
    out = _T(np.linalg.pinv(a)) @ gx
    if np.size(res):
        vec = np.ndim(b) == 1
        r = b - a @ x
        out = out + 2 * r * (gres[0] if vec else gres)
    return out


def lstsq_jvp(da, db, ans, a, b):
    """Tangent of ``np.linalg.lstsq(a, b)``: (dx, dres, 0, ds)."""
    x, res, rank, s = ans
    p = np.linalg.pinv(a)
    dx = 0.0 * x
    dres = 0.0 * res
    ds = 0.0 * s
    r = b - a @ x
    if not _zero(da):
        dx = dx + pinv_jvp(da, p, a) @ b
        if np.size(res):
            t = -2 * r * (da @ x)
            dres = dres + (
                np.sum(t, axis=0, keepdims=np.ndim(b) == 1)
                if np.ndim(b) == 1
                else np.sum(t, axis=0)
            )
        u, _, vh = np.linalg.svd(a, full_matrices=False)
        ds = ds + _diag_part(_T(u) @ da @ _T(vh))
    if not _zero(db):
        dx = dx + p @ db
        if np.size(res):
            t = 2 * r * db
            dres = dres + (
                np.sum(t, axis=0, keepdims=True) if np.ndim(b) == 1 else np.sum(t, axis=0)
            )
    return dx, dres, 0 * rank, ds


def multi_dot_grad(g, arrays):
    """Cotangents of the list in ``np.linalg.multi_dot(arrays)``."""
    mats = [np.atleast_2d(x) for x in arrays]
    if np.ndim(arrays[-1]) == 1:
        mats[-1] = np.reshape(arrays[-1], (-1, 1))
    gm = np.reshape(_beside(mats[0], g), (mats[0].shape[0], mats[-1].shape[1]))
    n = len(mats)
    left = [None] * n  # left[k] = mats[0] @ ... @ mats[k-1]
    right = [None] * n  # right[k] = mats[k+1] @ ... @ mats[-1]
    acc = None
    for k in range(n):
        left[k] = acc
        acc = mats[k] if acc is None else acc @ mats[k]
    acc = None
    for k in range(n - 1, -1, -1):
        right[k] = acc
        acc = mats[k] if acc is None else mats[k] @ acc
    out = []
    for k in range(n):
        t = gm
        if right[k] is not None:
            t = t @ _T(right[k])
        if left[k] is not None:
            t = _T(left[k]) @ t
        out.append(np.reshape(t, np.shape(arrays[k])))
    return out


def multi_dot_jvp(darrays, arrays):
    """Tangent of ``np.linalg.multi_dot(arrays)``."""
    if _zero(darrays):
        return 0.0
    out = 0.0
    for k, dk in enumerate(darrays):
        if _zero(dk):
            continue
        parts = list(arrays)
        parts[k] = dk
        out = out + np.linalg.multi_dot(parts)
    return out


# -- norms ---------------------------------------------------------------------------


def _norm_axes(x, ord, axis):
    """(axes reduced, is a matrix norm)."""
    nd = np.ndim(x)
    if axis is None:
        if ord is None:
            return tuple(range(nd)), False  # the 2-norm of the flattened array
        return tuple(range(nd)), nd == 2
    if isinstance(axis, tuple):
        if len(axis) == 2:
            return tuple(a % nd for a in axis), True
        return tuple(a % nd for a in axis), False
    return (axis % nd,), False


def _vector_dir(ans, x, ord, axes):
    """d norm / d x for a vector norm, ``ans`` with the reduced axes kept."""
    ax = np.abs(x)
    if ord is None or ord == 2:
        return x / ans
    if ord == 1:
        return np.sign(x) * np.ones_like(x)
    if ord == np.inf or ord == -np.inf:
        pick = (
            np.max(ax, axis=axes, keepdims=True)
            if ord > 0
            else np.min(ax, axis=axes, keepdims=True)
        )
        return np.sign(x) * minmax_grad(np.ones_like(pick), pick, ax, axes, True)
    if ord == 0:
        return zeros_like(x)
    return np.sign(x) * (ax / ans) ** (ord - 1)


def _matrix_dir(ans, x, ord, axes):
    """d norm / d x for a matrix norm over ``axes`` (two of them)."""
    if ord is None or ord == "fro":
        return x / ans
    xm = np.moveaxis(x, axes, (-2, -1))
    if ord in ("nuc", 2, -2):
        u, s, vh = np.linalg.svd(xm, full_matrices=False)
        if ord == "nuc":
            d = u @ vh
        else:
            k = 0 if ord == 2 else -1
            d = np.expand_dims(u[..., :, k], -1) * np.expand_dims(vh[..., k, :], -2)
    elif ord in (1, -1, np.inf, -np.inf):
        along = -2 if ord in (1, -1) else -1  # column sums (1) or row sums (inf)
        sums = np.sum(np.abs(xm), axis=along, keepdims=True)
        pick = (
            np.max(sums, axis=-1 if along == -2 else -2, keepdims=True)
            if ord > 0
            else np.min(sums, axis=-1 if along == -2 else -2, keepdims=True)
        )
        share = minmax_grad(np.ones_like(pick), pick, sums, -1 if along == -2 else -2, True)
        d = np.sign(xm) * share
    else:
        raise SrcgradError(
            f"srcgrad: the derivative of the matrix norm ord={ord!r} is not implemented"
        )
    return np.moveaxis(d, (-2, -1), axes)


def _norm_direction(ans, x, ord, axis, keepdims):
    axes, matrix = _norm_axes(x, ord, axis)
    kept = ans if keepdims else np.expand_dims(ans, axes)
    if matrix:
        return _matrix_dir(kept, x, ord, axes), axes
    return _vector_dir(kept, x, ord, axes), axes


def norm_vjp(g, ans, x, ord=None, axis=None, keepdims=False):
    """Cotangent of ``x`` for ``np.linalg.norm(x, ord, axis, keepdims)``, any ord numpy takes."""
    d, axes = _norm_direction(ans, x, ord, axis, keepdims)
    gk = g if keepdims else np.expand_dims(_beside(x, g), axes)
    return gk * d


def norm_tangent(dx, ans, x, ord=None, axis=None, keepdims=False):
    """Tangent of ``np.linalg.norm(x, ord, axis, keepdims)``."""
    d, axes = _norm_direction(ans, x, ord, axis, keepdims)
    return np.sum(d * dx, axis=axes, keepdims=keepdims)


def matrix_norm_vjp(g, ans, x, keepdims=False, ord="fro"):
    """Cotangent of ``x`` for ``np.linalg.matrix_norm``."""
    return norm_vjp(g, ans, x, ord, (-2, -1), keepdims)


def matrix_norm_jvp(dx, ans, x, keepdims=False, ord="fro"):
    """Tangent of ``np.linalg.matrix_norm``."""
    return norm_tangent(dx, ans, x, ord, (-2, -1), keepdims)


def vector_norm_vjp(g, ans, x, axis=None, keepdims=False, ord=2):
    """Cotangent of ``x`` for ``np.linalg.vector_norm`` (``axis=None``: all of ``x``)."""
    if axis is None:
        axis = tuple(range(np.ndim(x)))
    return _vector_only(norm_vjp, g, ans, x, ord, axis, keepdims)


def vector_norm_jvp(dx, ans, x, axis=None, keepdims=False, ord=2):
    """Tangent of ``np.linalg.vector_norm``."""
    if axis is None:
        axis = tuple(range(np.ndim(x)))
    return _vector_only(norm_tangent, dx, ans, x, ord, axis, keepdims)


def _vector_only(f, t, ans, x, ord, axis, keepdims):
    """A vector norm over ``axis``, even when it names two axes."""
    axes = axis if isinstance(axis, tuple) else (axis,)
    kept = _keep(ans, x, axes, keepdims)
    d = _vector_dir(kept, x, ord, tuple(a % np.ndim(x) for a in axes))
    if f is norm_vjp:
        return _keep(t, x, axes, keepdims) * d
    return np.sum(d * t, axis=axes, keepdims=keepdims)
