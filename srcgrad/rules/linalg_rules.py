"""Derivatives of ``numpy.linalg``: solve, inv, det, slogdet, cholesky, eigh,
eigvalsh, qr, svd, svdvals, pinv, matrix_power, lstsq, multi_dot and the norms.

Every rule accepts stacks of matrices, as numpy does.  Helpers are in
``srcgrad/runtime_linalg.py``; the conventions (triangles read, repeated
eigenvalues, singular matrices) are documented in ``docs/linalg.md``.
"""

from __future__ import annotations

T = "np.swapaxes({}, -1, -2)"


def register(rules):
    def d(name, sig, **kw):
        return rules.define(f"numpy.linalg.{name}", sig, **kw)

    d(
        "solve",
        "solve(a, b)",
        vjp={"a": "rt.solve_grad_a(g, ans, a, b)", "b": "rt.solve_grad_b(g, a, b)"},
        jvp="rt.solve_jvp(da, db, ans, a, b)",
    )
    at = T.format("ans")
    d("inv", "inv(a)", vjp={"a": f"-{at} @ g @ {at}"}, jvp="-ans @ da @ ans")
    d("det", "det(a)", vjp={"a": "rt.det_grad(g, ans, a)"}, jvp="ans * rt.logdet_jvp(da, a)")
    # sign, logabsdet: the sign is piecewise constant.
    d(
        "slogdet",
        "slogdet(a)",
        vjp={"a": "rt.slogdet_grad(g, a)"},
        jvp="(0 * ans[0], rt.logdet_jvp(da, a))",
    )
    d(
        "matrix_power",
        "matrix_power(a, n)",
        vjp={"a": "rt.matrix_power_grad(g, a, n)"},
        jvp="rt.matrix_power_jvp(da, a, n)",
    )
    d(
        "cholesky",
        "cholesky(a, *, upper=False)",
        vjp={"a": "rt.cholesky_grad(g, ans, upper)"},
        jvp="rt.cholesky_jvp(da, ans, upper)",
    )
    d(
        "eigh",
        "eigh(a, UPLO='L')",
        vjp={"a": "rt.eigh_grad(g, ans, UPLO)"},
        jvp="rt.eigh_jvp(da, ans, UPLO)",
    )
    d(
        "eigvalsh",
        "eigvalsh(a, UPLO='L')",
        vjp={"a": "rt.eigvalsh_grad(g, a, UPLO)"},
        jvp="rt.eigvalsh_jvp(da, a, UPLO)",
    )
    d(
        "qr",
        "qr(a, mode='reduced')",
        vjp={"a": "rt.qr_grad(g, ans, a, mode)"},
        jvp="rt.qr_jvp(da, ans, a, mode)",
    )
    svd = "a, full_matrices, compute_uv, hermitian"
    d(
        "svd",
        "svd(a, full_matrices=True, compute_uv=True, hermitian=False)",
        vjp={"a": f"rt.svd_grad(g, ans, {svd})"},
        jvp=f"rt.svd_jvp(da, ans, {svd})",
    )
    d(
        "svdvals",
        "svdvals(x)",
        vjp={"x": "rt.svd_grad(g, ans, x, False, False)"},
        jvp="rt.svd_jvp(dx, ans, x, False, False)",
    )
    d(
        "pinv",
        "pinv(a, rcond=None, hermitian=False)",
        vjp={"a": "rt.pinv_grad(g, ans, a, hermitian)"},
        jvp="rt.pinv_jvp(da, ans, a, hermitian)",
    )
    # x, residuals, rank, s: rank is an integer and carries no gradient.
    d(
        "lstsq",
        "lstsq(a, b, rcond=None)",
        vjp={"a": "rt.lstsq_grad_a(g, ans, a, b)", "b": "rt.lstsq_grad_b(g, ans, a, b)"},
        jvp="rt.lstsq_jvp(da, db, ans, a, b)",
    )
    d(
        "multi_dot",
        "multi_dot(arrays: list)",
        vjp={"arrays": "rt.multi_dot_grad(g, arrays)"},
        jvp="rt.multi_dot_jvp(darrays, arrays)",
    )
    # Every ord numpy accepts except the degenerate ord=0 count (a zero gradient).
    d(
        "norm",
        "norm(x, ord=None, axis=None, keepdims=False)",
        vjp={"x": "rt.norm_vjp(g, ans, x, ord, axis, keepdims)"},
        jvp="rt.norm_tangent(dx, ans, x, ord, axis, keepdims)",
    )
    d(
        "matrix_norm",
        "matrix_norm(x, *, keepdims=False, ord='fro')",
        vjp={"x": "rt.matrix_norm_vjp(g, ans, x, keepdims, ord)"},
        jvp="rt.matrix_norm_jvp(dx, ans, x, keepdims, ord)",
    )
    d(
        "vector_norm",
        "vector_norm(x, *, axis=None, keepdims=False, ord=2)",
        vjp={"x": "rt.vector_norm_vjp(g, ans, x, axis, keepdims, ord)"},
        jvp="rt.vector_norm_jvp(dx, ans, x, axis, keepdims, ord)",
    )
    rules.nondiff("numpy.linalg.matrix_rank")
