"""Forward rules for the ``srcgrad.runtime`` helpers that generated code calls.

Higher derivatives differentiate generated code: ``hvp`` runs forward mode
over a reverse-mode module.  That module calls helpers such as
``rt.unbroadcast`` and ``rt.matmul_grad_a``; the rules here give forward mode
their tangents.  Most helpers are linear in the cotangent ``g`` and depend on
their other arguments only through shapes, indices or masks, so their tangent
is the same helper applied to ``g``'s tangent.

These rules are layered over a rule set only when generated code is
differentiated (:func:`with_runtime`); they are not part of the library a
user's own code sees.
"""

from __future__ import annotations

from srcgrad.rules.registry import RuleSet

# helper(signature): linear in these parameters, other arguments only shape/index/mask data
LINEAR = {
    "unbroadcast": ("(g, x)", ("g",)),
    "sum_grad": ("(g, x, axis=None, keepdims=False)", ("g",)),
    "mean_grad": ("(g, x, axis=None, keepdims=False)", ("g",)),
    "minmax_grad": ("(g, value, x, axis=None, keepdims=False)", ("g",)),
    "stack_grad": ("(g, n, axis=0)", ("g",)),
    "select_grad": ("(g, items, value)", ("g",)),
    "transpose_grad": ("(g, axes=None)", ("g",)),
    "concatenate_grad": ("(g, arrays, axis=0)", ("g",)),
    "vstack_grad": ("(g, arrays)", ("g",)),
    "hstack_grad": ("(g, arrays)", ("g",)),
    "tile_grad": ("(g, x, reps)", ("g",)),
    "astype_grad": ("(g, x, dtype)", ("g",)),
    "array_grad": ("(g, obj)", ("g",)),
    "trace_grad": ("(g, x, offset=0, axis1=0, axis2=1)", ("g",)),
    "repeat_list_grad": ("(g, n, times)", ("g",)),
    "diagonal_grad": ("(g, v, k=0)", ("g",)),
    "diff_grad": ("(g, n=1, axis=-1)", ("g",)),
    "repeat_grad": ("(g, x, repeats, axis=None)", ("g",)),
    "sort_grad": ("(g, x, axis=-1)", ("g",)),
    "cumsum_grad": ("(g, x, axis=None)", ("g",)),
    "index_grad": ("(g, x, idx)", ("g",)),
    "save": ("(x, idx)", ("x",)),
    "snapshot": ("(x)", ("x",)),
    "writable": ("(g, x)", ("g",)),
    "unpack_grad": ("(parts, x)", ("parts",)),
    "unbroadcast_each": ("(gs, xs)", ("gs",)),
    "diagonal_vjp": ("(g, a, offset=0, axis1=0, axis2=1)", ("g",)),
    "take_vjp": ("(g, a, indices, axis=None, mode='raise')", ("g",)),
    "take_along_axis_vjp": ("(g, arr, indices, axis)", ("g",)),
    "append_grad": ("(g, arr, values, axis=None)", ("g",)),
    "choose_grad": ("(g, a, choices, mode='raise')", ("g",)),
    "column_stack_grad": ("(g, arrays)", ("g",)),
    "dstack_grad": ("(g, arrays)", ("g",)),
    "compress_grad": ("(g, condition, a, axis=None)", ("g",)),
    "delete_grad": ("(g, arr, obj, axis=None)", ("g",)),
    "extract_grad": ("(g, condition, arr)", ("g",)),
    "diagflat_grad": ("(g, v, k=0)", ("g",)),
    "ediff1d_grad": ("(g, ary, to_begin=None)", ("g",)),
    "interp_grad_edge": ("(g, x, xp, side, period=None)", ("g",)),
    "item_grad": ("(g, x, args)", ("g",)),
    "linspace_grad": ("(g, start, stop, num=50, endpoint=True, retstep=False, axis=0, "
                      "which=0)", ("g",)),
    "median_grad": ("(g, a, axis=None, keepdims=False)", ("g",)),
    "ptp_grad": ("(g, a, axis=None, keepdims=False)", ("g",)),
    "nan_zero": ("(t, a)", ("t",)),
    "nancumsum_grad": ("(g, a, axis=None)", ("g",)),
    "nanmean_grad": ("(g, a, axis=None, keepdims=False)", ("g",)),
    "pad_grad": ("(g, array, pad_width, mode='constant')", ("g",)),
    "pad_grad_constant": ("(g, array, pad_width)", ("g",)),
    "reshape_each": ("(gs, xs)", ("gs",)),
    "resize_grad": ("(g, a, new_shape)", ("g",)),
    "rollaxis_grad": ("(g, a, axis, start=0)", ("g",)),
    "select_default_grad": ("(g, condlist, default)", ("g",)),
    "select_vjp": ("(g, condlist, choicelist)", ("g",)),
    "array_like": ("(v, x)", ("v",)),
}

# helper(signature): linear in ``g`` and in one primal operand (``other``, or the
# operand that ``which`` does not name); the tangent is rt.bilinear_jvp
BILINEAR = {
    "inner_grad_a": ("(g, a, b)", "(a, b), 1", ""),
    "inner_grad_b": ("(g, a, b)", "(a, b), 0", ""),
    "vdot_grad": ("(g, a, b)", "(a, b), 1", ""),
    "tensordot_grad_a": ("(g, a, b, axes=2)", "(a, b), 1", ", axes"),
    "tensordot_grad_b": ("(g, a, b, axes=2)", "(a, b), 0", ", axes"),
    "kron_grad": ("(g, a, b, which)", "(a, b), 1 - which", ", which"),
    "convolve_grad": ("(g, a, v, which, mode='full')", "(a, v), 1 - which", ", which, mode"),
    "correlate_grad": ("(g, a, v, which, mode='valid')", "(a, v), 1 - which",
                       ", which, mode"),
    "cross_grad": ("(g, a, b, which, axisa=-1, axisb=-1, axisc=-1, axis=None)",
                   "(a, b), 1 - which", ", which, axisa, axisb, axisc, axis"),
}

# helper(signature): tangent rt.<helper>_jvp(d<diff>..., <the helper's arguments>);
# the primal result a helper reads is named ``res`` here (``ans`` in a template is the
# helper's own output)
NONLINEAR = {
    "det_grad": ("(g, res, a)", ("g", "res", "a")),
    "slogdet_grad": ("(g, a)", ("g", "a")),
    "solve_grad_a": ("(g, res, a, b)", ("g", "res", "a")),
    "solve_grad_b": ("(g, a, b)", ("g", "a")),
    "matrix_power_grad": ("(g, a, n)", ("g", "a")),
    "cumprod_grad": ("(g, res, a, axis=None)", ("g", "res", "a")),
    "nanvar_grad": ("(g, a, axis=None, ddof=0, keepdims=False)", ("g", "a")),
    "average_grad_a": ("(g, a, axis=None, weights=None, keepdims=False, returned=False)",
                       ("g", "weights")),
    "average_grad_w": ("(g, res, a, axis=None, weights=None, keepdims=False)",
                       ("g", "res", "a", "weights")),
    "norm_vjp": ("(g, res, x, ord=None, axis=None, keepdims=False)", ("g", "res", "x")),
    "interp_grad_x": ("(g, x, xp, fp, period=None)", ("g", "xp", "fp")),
    "multi_dot_grad": ("(g, arrays: list)", ("g", "arrays")),
    "pinv_grad": ("(g, res, a, hermitian=False)", ("g", "res", "a")),
    "cholesky_grad": ("(g, res, upper=False)", ("g", "res")),
    "interp_grad_fp": ("(g, x, xp, fp, left=None, right=None, period=None)", ("g", "x", "xp")),
    "quantile_grad": ("(g, a, q, axis=None, keepdims=False, scale=1.0, method='linear')",
                      ("g", "q")),
    "quantile_grad_q": ("(g, a, q, axis=None, keepdims=False, scale=1.0, method='linear')",
                        ("g", "a")),
    "vector_norm_vjp": ("(g, res, x, axis=None, keepdims=False, ord=2)", ("g", "res", "x")),
    "nanprod_grad": ("(g, a, axis=None, keepdims=False)", ("g", "a")),
    "polyval_grad_p": ("(g, p, x)", ("g", "x")),
    "polyval_grad_x": ("(g, p, x)", ("g", "p", "x")),
    "vander_grad": ("(g, x, N=None, increasing=False)", ("g", "x")),
    "sinc_deriv": ("(x, res)", ("x", "res")),
    "interp_grad_xp": ("(g, x, xp, fp, period=None)", ("g", "x", "xp", "fp")),
    "eigvalsh_grad": ("(g, a, UPLO='L')", ("g", "a")),
    "eigh_grad": ("(g, res, UPLO='L')", ("g", "res")),
    "qr_grad": ("(g, res, a, mode='reduced')", ("g", "res")),
    "svd_grad": ("(g, res, a, full_matrices=True, compute_uv=True, hermitian=False)",
                 ("g", "res", "a")),
    "lstsq_grad_a": ("(g, res, a, b)", ("g", "res", "a", "b")),
    "lstsq_grad_b": ("(g, res, a, b)", ("g", "res", "a", "b")),
}


def _names(sig):
    return [p.split("=")[0].split(":")[0] for p in sig.strip("()").split(", ")]


def register(rules: RuleSet) -> None:
    for helper, (sig, diff) in LINEAR.items():
        args = ", ".join(("d" + p if p in diff else p) for p in _names(sig))
        rules.define_forward(f"srcgrad.runtime.{helper}", helper + sig,
                             jvp=f"rt.{helper}({args})", diff=diff)
    f = rules.define_forward
    for helper, (sig, operands, rest) in BILINEAR.items():
        which = operands.split("), ")[1]
        pair = operands[1:].split(")")[0].split(", ")
        other = (f"d{pair[1]}" if which == "1" else f"d{pair[0]}" if which == "0"
                 else f"(d{pair[1]} if which == 0 else d{pair[0]})")
        f(f"srcgrad.runtime.{helper}", helper + sig,
          jvp=f"rt.bilinear_jvp(rt.{helper}, dg, g, {other}, {operands}{rest})",
          diff=("g",) + tuple(pair))
    for helper, (sig, diff) in NONLINEAR.items():
        args = ", ".join(["d" + p for p in diff] + _names(sig))
        f(f"srcgrad.runtime.{helper}", helper + sig, jvp=f"rt.{helper}_jvp({args})", diff=diff)
    f("srcgrad.runtime.cumulative_grad", "cumulative_grad(f, g, res, x, axis=None, "
      "include_initial=False)", jvp="rt.cumulative_grad_jvp(f, dg, dres, dx, g, res, x, axis, "
      "include_initial)", diff=("g", "res", "x"))
    f("srcgrad.runtime.matrix_norm_vjp", "matrix_norm_vjp(g, res, x, keepdims=False, ord='fro')",
      jvp="rt.norm_vjp_jvp(dg, dres, dx, g, res, x, ord, (-2, -1), keepdims)",
      diff=("g", "res", "x"))
    # bilinear: the cotangent times a primal operand
    for helper in ("matmul_grad_a", "dot_grad_a"):
        f(f"srcgrad.runtime.{helper}", helper + "(g, a, b)",
          jvp=f"rt.lin(dg, lambda t: rt.{helper}(t, a, b)) + "
              f"rt.lin(db, lambda t: rt.{helper}(g, a, t))", diff=("g", "b"))
    for helper in ("matmul_grad_b", "dot_grad_b"):
        f(f"srcgrad.runtime.{helper}", helper + "(g, a, b)",
          jvp=f"rt.lin(dg, lambda t: rt.{helper}(t, a, b)) + "
              f"rt.lin(da, lambda t: rt.{helper}(g, t, b))", diff=("g", "a"))
    f("srcgrad.runtime.var_grad", "var_grad(g, x, axis=None, ddof=0, keepdims=False)",
      jvp="rt.lin(dg, lambda t: rt.var_grad(t, x, axis, ddof, keepdims)) + "
          "rt.lin(dx, lambda t: rt.var_grad(g, t, axis, ddof, keepdims))", diff=("g", "x"))
    f("srcgrad.runtime.add", "add(a, b)", jvp="rt.add(rt.fill_tangents(da, a), "
      "rt.fill_tangents(db, b))", diff=("a", "b"))
    f("srcgrad.runtime.pick_grad", "pick_grad(g, x, other, value)",
      jvp="rt.pick_grad(dg, x, other, value)", diff=("g",))
    # nonlinear scalar helpers of the power and log rules
    f("srcgrad.runtime.pow_dx", "pow_dx(x, y)",
      jvp="rt.lin(dx, lambda t: t * y * rt.pow_dx(x, y - 1)) + "
          "rt.lin(dy, lambda t: t * (rt.pow_dx(x, y) * rt.log0(x) + x ** (y - 1)))",
      diff=("x", "y"))
    f("srcgrad.runtime.digamma", "digamma(x)", jvp="rt.lin(dx, lambda t: t * rt.trigamma(x))",
      diff=("x",))
    # linear in g and in m (through m's centred rows)
    f("srcgrad.runtime.cov_grad", "cov_grad(g, m, rowvar=True, bias=False, ddof=None, y=None)",
      jvp="rt.bilinear_jvp(rt.cov_grad, dg, g, dm, (m,), 0, rowvar, bias, ddof, y)",
      diff=("g", "m"))
    f("srcgrad.runtime.log0", "log0(x)", jvp="rt.lin(dx, lambda t: t * rt.div0(x))",
      diff=("x",))
    # written in place: the tangent gets the same update
    f("srcgrad.runtime.take_grad", "take_grad(acc, idx)", jvp="rt.take_grad(dacc, idx)",
      diff=("acc",), inplace="acc")
    f("srcgrad.runtime.add_at", "add_at(acc, idx, g)",
      jvp="rt.add_at(dacc, idx, rt.fill_tangents(dg, g))", diff=("g",),
      inplace="acc")
    f("srcgrad.runtime.einsum_vjp", "einsum_vjp(g, subscripts, operands: list)",
      jvp="rt.einsum_vjp_jvp(dg, g, subscripts, doperands, operands)", diff=("g", "operands"))
    f("srcgrad.runtime.prod_grad", "prod_grad(g, x, axis=None, keepdims=False)",
      jvp="rt.prod_grad_jvp(dg, dx, g, x, axis, keepdims)", diff=("g", "x"))
    # conversions the generated code applies to cotangents (a list of rows, a tuple)
    f("builtins.list", "list(x)", jvp="list(rt.fill_tangents(dx, x))", diff=("x",))
    f("builtins.tuple", "tuple(x)", jvp="tuple(rt.fill_tangents(dx, x))", diff=("x",))
    for helper in ("shape_arg", "axes_arg", "zeros_like", "shape", "is_basic_index", "sign",
                   "clip_mask", "negate", "to_float"):
        rules.nondiff(f"srcgrad.runtime.{helper}")


def with_runtime(rules: RuleSet) -> RuleSet:
    """``rules`` plus the runtime helpers' forward rules, for differentiating generated code."""
    layer = RuleSet(parent=rules)
    register(layer)
    return layer
