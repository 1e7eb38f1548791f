"""More numpy rules: the rest of the ufuncs, reductions, joining and splitting,
products, indexing, signals, and the array methods that mirror them.

Same conventions as ``numpy_rules``: ``np.`` is the caller's array module,
helpers are ``rt.*`` (defined in ``srcgrad/runtime_numpy.py``).  A rule here
must have example inputs in ``tests/test_rules_registry.py``, which checks its
vjp and jvp templates against finite differences.
"""

from __future__ import annotations

from srcgrad.rules.numpy_rules import MINMAX, REDUCE, VAR

BIN = "(x1, x2)"
BOTH = ("x1", "x2")
NAN_REDUCE = "(a, axis=None, dtype=None, out=None, keepdims=False)"

NONDIFF = """
    nextafter spacing gcd lcm isreal iscomplex isneginf isposinf isnat
    bitwise_and bitwise_or bitwise_xor bitwise_not bitwise_count invert
    left_shift right_shift
    argpartition nanargmax nanargmin lexsort digitize
    array_equiv isin tri indices
""".split()
NONDIFF_METHODS = "round argpartition searchsorted".split()


def register(rules):
    def d(name, sig, **kw):
        return rules.define(f"numpy.{name}", name.rsplit(".", 1)[-1] + sig, **kw)

    _elementwise(rules, d)
    _constructors(rules, d)
    _reductions(rules, d)
    _shapes(rules, d)
    _products(rules, d)
    _indexing(rules, d)
    _signals(rules, d)
    _selections(rules, d)
    _methods(rules)
    for name in NONDIFF:
        if f"numpy.{name}" not in rules:
            rules.nondiff(f"numpy.{name}")
    for name in NONDIFF_METHODS:
        rules.nondiff(f"numpy.ndarray.{name}")


def _elementwise(rules, d):
    # ldexp(x1, x2) = x1 * 2**x2 with integer x2: linear in x1.
    d(
        "ldexp",
        BIN,
        broadcast=BOTH,
        vjp={"x1": "np.ldexp(g, x2)"},
        jvp="rt.broadcast_like(np.ldexp(dx1, x2), ans)",
    )
    # heaviside(x1, x2) is 0 or 1, and x2 where x1 == 0: flat in x1 (away from 0).
    d(
        "heaviside",
        BIN,
        broadcast=BOTH,
        vjp={"x1": "0 * g", "x2": "np.where(x1 == 0, g, 0)"},
        jvp="rt.broadcast_like(rt.lin(dx2, lambda t: np.where(x1 == 0, t, 0)), ans)",
    )
    # modf(x) = (fractional part, integral part); the integral part is flat.
    d("modf", "(x)", vjp={"x": "g[0]"}, jvp="(dx, 0 * dx)")
    # frexp(x) = (mantissa, exponent) with x = mantissa * 2**exponent.
    d(
        "frexp",
        "(x)",
        vjp={"x": "np.ldexp(g[0], -ans[1])"},
        jvp="(np.ldexp(dx, -ans[1]), 0 * ans[1])",
    )
    # divmod(x1, x2) = (floor_divide, mod): only the remainder moves.
    d(
        "divmod",
        BIN,
        broadcast=BOTH,
        vjp={"x1": "g[1]", "x2": "-g[1] * ans[0]"},
        jvp="(0 * ans[0], rt.broadcast_like(dx1 - dx2 * ans[0], ans[1]))",
    )
    # Real inputs only (complex inputs are refused at the call): conj is the identity.
    d("conjugate", "(x)", vjp={"x": "np.conjugate(g)"}, jvp="np.conjugate(dx)")
    rules.alias("numpy.conj", "numpy.conjugate")
    d("real", "(val)", vjp={"val": "g"}, jvp="np.real(dval)")
    d(
        "nan_to_num",
        "(x, copy=True, nan=0.0, posinf=None, neginf=None)",
        vjp={"x": "g * np.isfinite(x)"},
        jvp="dx * np.isfinite(x)",
    )
    # numpy 2 gufuncs over the last axis (or the last two).
    d(
        "vecdot",
        BIN,
        broadcast=BOTH,
        vjp={
            "x1": "np.expand_dims(rt.array_like(g, x2), -1) * x2",
            "x2": "np.expand_dims(rt.array_like(g, x1), -1) * x1",
        },
        jvp="rt.lin(dx1, lambda t: np.vecdot(t, x2)) + rt.lin(dx2, lambda t: np.vecdot(x1, t))",
    )
    d(
        "matvec",
        BIN,
        broadcast=BOTH,
        vjp={
            "x1": "np.expand_dims(g, -1) * np.expand_dims(x2, -2)",
            "x2": "np.matvec(np.swapaxes(x1, -1, -2), g)",
        },
        jvp="rt.lin(dx1, lambda t: np.matvec(t, x2)) + rt.lin(dx2, lambda t: np.matvec(x1, t))",
    )
    d(
        "vecmat",
        BIN,
        broadcast=BOTH,
        vjp={"x1": "np.matvec(x2, g)", "x2": "np.expand_dims(x1, -1) * np.expand_dims(g, -2)"},
        jvp="rt.lin(dx1, lambda t: np.vecmat(t, x2)) + rt.lin(dx2, lambda t: np.vecmat(x1, t))",
    )
    d(
        "linalg.vecdot",
        "(x1, x2, *, axis=-1)",
        broadcast=BOTH,
        vjp={
            "x1": "np.expand_dims(rt.array_like(g, x2), axis) * x2",
            "x2": "np.expand_dims(rt.array_like(g, x1), axis) * x1",
        },
        jvp="rt.lin(dx1, lambda t: np.linalg.vecdot(t, x2, axis=axis))"
        " + rt.lin(dx2, lambda t: np.linalg.vecdot(x1, t, axis=axis))",
    )


def _constructors(rules, d):
    """Array constructors whose values come from their arguments."""
    d(
        "full",
        "(shape, fill_value, dtype=None)",
        vjp={"fill_value": "rt.unbroadcast(g, fill_value)"},
        jvp="rt.broadcast_like(dfill_value, ans)",
    )
    # full_like reads only the shape and dtype of a: its derivative in a is zero.
    d(
        "full_like",
        "(a, fill_value, dtype=None)",
        vjp={"a": "rt.zeros_like(a)", "fill_value": "rt.unbroadcast(g, fill_value)"},
        jvp="rt.broadcast_like(dfill_value, ans)",
    )
    d(
        "linspace",
        "(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0)",
        vjp={
            "start": "rt.linspace_grad(g, start, stop, num, endpoint, retstep, axis, 0)",
            "stop": "rt.linspace_grad(g, start, stop, num, endpoint, retstep, axis, 1)",
        },
        jvp="rt.linspace_jvp(dstart, dstop, ans, start, stop, num, endpoint, retstep, axis)",
    )


def _reductions(rules, d):
    keep = "axis=axis, keepdims=keepdims"
    d(
        "average",
        "(a, axis=None, weights=None, returned=False, *, keepdims=False)",
        vjp={
            "a": "rt.average_grad_a(g, a, axis, weights, keepdims, returned)",
            "weights": "rt.average_grad_w(g, ans, a, axis, weights, keepdims)",
        },
        jvp="rt.average_jvp(da, dweights, ans, a, axis, weights, keepdims)",
    )
    for fmt, a in (("numpy.{}", "a"), ("numpy.ndarray.{}", "self")):
        sig = "(a, axis=None, dtype=None, out=None)".replace("a", a, 1)
        rules.define(
            fmt.format("cumprod"),
            "cumprod" + sig,
            vjp={a: f"rt.cumprod_grad(g, ans, {a}, axis)"},
            jvp=f"rt.cumprod_jvp(d{a}, ans, {a}, axis)",
        )
    d(
        "ptp",
        MINMAX,
        vjp={"a": "rt.ptp_grad(g, a, axis, keepdims)"},
        jvp="rt.ptp_jvp(da, a, axis, keepdims)",
    )
    # nan-reductions: NaN entries are skipped, so their cotangent is zero.
    d(
        "nansum",
        NAN_REDUCE,
        vjp={"a": "rt.nan_zero(rt.sum_grad(g, a, axis, keepdims), a)"},
        jvp=f"np.sum(rt.nan_zero(da, a), {keep})",
    )
    d(
        "nanmean",
        NAN_REDUCE,
        vjp={"a": "rt.nanmean_grad(g, a, axis, keepdims)"},
        jvp="rt.nanmean_jvp(da, a, axis, keepdims)",
    )
    for name in ("nanmax", "nanmin"):
        d(
            name,
            MINMAX,
            vjp={"a": "rt.minmax_grad(g, ans, a, axis, keepdims)"},
            jvp="rt.minmax_jvp(da, ans, a, axis, keepdims)",
        )
    d(
        "nanvar",
        VAR,
        vjp={"a": "rt.nanvar_grad(g, a, axis, ddof, keepdims)"},
        jvp="rt.nanvar_jvp(da, a, axis, ddof, keepdims)",
    )
    d(
        "nanstd",
        VAR,
        vjp={"a": "rt.nanvar_grad(g / (2 * ans), a, axis, ddof, keepdims)"},
        jvp="rt.nanvar_jvp(da, a, axis, ddof, keepdims) / (2 * ans)",
    )
    d(
        "nanprod",
        REDUCE,
        vjp={"a": "rt.nanprod_grad(g, a, axis, keepdims)"},
        jvp="rt.nanprod_jvp(da, a, axis, keepdims)",
    )
    d(
        "nancumsum",
        "(a, axis=None, dtype=None, out=None)",
        vjp={"a": "rt.nancumsum_grad(g, a, axis)"},
        jvp="np.cumsum(rt.nan_zero(da, a), axis=axis)",
    )
    # median: the middle element (the mean of the two middle ones), ties broken by position.
    d(
        "median",
        "(a, axis=None, out=None, overwrite_input=False, keepdims=False)",
        vjp={"a": "rt.median_grad(g, a, axis, keepdims)"},
        jvp="rt.median_jvp(da, a, axis, keepdims)",
    )


def _shapes(rules, d):
    d(
        "column_stack",
        "(tup: list)",
        vjp={"tup": "rt.column_stack_grad(g, tup)"},
        jvp="np.column_stack(rt.tangents(dtup, tup))",
    )
    d(
        "dstack",
        "(tup: list)",
        vjp={"tup": "rt.dstack_grad(g, tup)"},
        jvp="np.dstack(rt.tangents(dtup, tup))",
    )
    # The outputs are a list of arrays: g is the list of their cotangents.
    for name, join in (
        ("split", "np.concatenate(g, axis=axis)"),
        ("array_split", "np.concatenate(g, axis=axis)"),
    ):
        d(
            name,
            "(ary, indices_or_sections, axis=0)",
            vjp={"ary": join},
            jvp=f"np.{name}(dary, indices_or_sections, axis)",
        )
    d(
        "hsplit",
        "(ary, indices_or_sections)",
        vjp={"ary": "np.hstack(g)"},
        jvp="np.hsplit(dary, indices_or_sections)",
    )
    d(
        "vsplit",
        "(ary, indices_or_sections)",
        vjp={"ary": "np.vstack(g)"},
        jvp="np.vsplit(dary, indices_or_sections)",
    )
    d(
        "dsplit",
        "(ary, indices_or_sections)",
        vjp={"ary": "np.dstack(g)"},
        jvp="np.dsplit(dary, indices_or_sections)",
    )
    d(
        "unstack",
        "(x, *, axis=0)",
        vjp={"x": "np.stack(g, axis=axis)"},
        jvp="np.unstack(dx, axis=axis)",
    )
    for n in (1, 2, 3):
        d(
            f"atleast_{n}d",
            "(*arys)",
            vjp={"arys": "rt.reshape_each(g, arys)"},
            jvp=f"np.atleast_{n}d(*rt.tangents(darys, arys))",
        )
    d(
        "broadcast_arrays",
        "(*args)",
        vjp={"args": "rt.unbroadcast_each(g, args)"},
        jvp="np.broadcast_arrays(*rt.tangents(dargs, args))",
    )
    d(
        "pad",
        "(array, pad_width, mode='constant', *, constant_values=0)",
        vjp={
            "array": "rt.pad_grad(g, array, pad_width, mode)",
            "constant_values": "rt.pad_grad_constant(g, array, pad_width)",
        },
        jvp="rt.lin(darray, lambda t: np.pad(t, pad_width, mode=mode))"
        " + rt.lin(dconstant_values, lambda t: t * (1 - np.pad(np.ones_like(array), pad_width)))",
    )
    d(
        "diagonal",
        "(a, offset=0, axis1=0, axis2=1)",
        vjp={"a": "rt.diagonal_vjp(g, a, offset, axis1, axis2)"},
        jvp="np.diagonal(da, offset, axis1, axis2)",
    )
    d(
        "linalg.diagonal",
        "(x, *, offset=0)",
        vjp={"x": "rt.diagonal_vjp(g, x, offset, -2, -1)"},
        jvp="np.linalg.diagonal(dx, offset=offset)",
    )
    d("diagflat", "(v, k=0)", vjp={"v": "rt.diagflat_grad(g, v, k)"}, jvp="np.diagflat(dv, k)")
    d(
        "linalg.trace",
        "(x, *, offset=0, dtype=None)",
        vjp={"x": "rt.trace_grad(g, x, offset, -2, -1)"},
        jvp="np.linalg.trace(dx, offset=offset)",
    )
    d(
        "rot90",
        "(m, k=1, axes=(0, 1))",
        vjp={"m": "np.rot90(g, -k, axes)"},
        jvp="np.rot90(dm, k, axes)",
    )
    d("fliplr", "(m)", vjp={"m": "np.fliplr(g)"}, jvp="np.fliplr(dm)")
    d("flipud", "(m)", vjp={"m": "np.flipud(g)"}, jvp="np.flipud(dm)")
    d("matrix_transpose", "(x)", vjp={"x": "np.matrix_transpose(g)"}, jvp="np.matrix_transpose(dx)")
    rules.alias("numpy.linalg.matrix_transpose", "numpy.matrix_transpose")
    d(
        "append",
        "(arr, values, axis=None)",
        vjp={
            "arr": "rt.append_grad(g, arr, values, axis)[0]",
            "values": "rt.append_grad(g, arr, values, axis)[1]",
        },
        jvp="np.append(rt.tangents([darr], [arr])[0], rt.tangents([dvalues], [values])[0], axis)",
    )


def _products(rules, d):
    lin2 = "rt.lin(d{a}, lambda t: np.{f}(t, {b}{x})) + rt.lin(d{b}, lambda t: np.{f}({a}, t{x}))"
    d(
        "vdot",
        "(a, b)",
        vjp={"a": "rt.vdot_grad(g, a, b)", "b": "rt.vdot_grad(g, b, a)"},
        jvp=lin2.format(a="a", b="b", f="vdot", x=""),
    )
    d(
        "inner",
        "(a, b)",
        vjp={"a": "rt.inner_grad_a(g, a, b)", "b": "rt.inner_grad_b(g, a, b)"},
        jvp=lin2.format(a="a", b="b", f="inner", x=""),
    )
    d(
        "tensordot",
        "(a, b, axes=2)",
        vjp={"a": "rt.tensordot_grad_a(g, a, b, axes)", "b": "rt.tensordot_grad_b(g, a, b, axes)"},
        jvp=lin2.format(a="a", b="b", f="tensordot", x=", axes"),
    )
    rules.alias("numpy.linalg.tensordot", "numpy.tensordot")
    rules.alias("numpy.linalg.matmul", "numpy.matmul")
    rules.alias("numpy.linalg.outer", "numpy.outer")
    d(
        "kron",
        "(a, b)",
        vjp={"a": "rt.kron_grad(g, a, b, 0)", "b": "rt.kron_grad(g, a, b, 1)"},
        jvp=lin2.format(a="a", b="b", f="kron", x=""),
    )
    axes = "axisa, axisb, axisc, axis"
    d(
        "cross",
        "(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None)",
        vjp={"a": f"rt.cross_grad(g, a, b, 0, {axes})", "b": f"rt.cross_grad(g, a, b, 1, {axes})"},
        jvp=lin2.format(a="a", b="b", f="cross", x=f", {axes}"),
    )
    d(
        "linalg.cross",
        "(x1, x2, /, *, axis=-1)",
        vjp={
            "x1": "rt.cross_grad(g, x1, x2, 0, axis=axis)",
            "x2": "rt.cross_grad(g, x1, x2, 1, axis=axis)",
        },
        jvp="rt.lin(dx1, lambda t: np.linalg.cross(t, x2, axis=axis))"
        " + rt.lin(dx2, lambda t: np.linalg.cross(x1, t, axis=axis))",
    )


def _indexing(rules, d):
    d(
        "take",
        "(a, indices, axis=None, out=None, mode='raise')",
        vjp={"a": "rt.take_vjp(g, a, indices, axis, mode)"},
        jvp="np.take(da, indices, axis=axis, mode=mode)",
    )
    # bincount counts (no gradient) or sums weights per bin (linear in the weights).
    d(
        "bincount",
        "(x, weights=None, minlength=0)",
        vjp={"weights": "np.take(g, x)"},
        jvp="np.bincount(x, weights=dweights, minlength=np.size(ans))",
    )
    d(
        "take_along_axis",
        "(arr, indices, axis=-1)",
        vjp={"arr": "rt.take_along_axis_vjp(g, arr, indices, axis)"},
        jvp="np.take_along_axis(darr, indices, axis)",
    )
    d(
        "select",
        "(condlist: list, choicelist: list, default=0)",
        vjp={
            "choicelist": "rt.select_vjp(g, condlist, choicelist)",
            "default": "rt.select_default_grad(g, condlist, default)",
        },
        jvp="np.select(condlist, rt.tangents(dchoicelist, choicelist), ddefault)",
    )


def _signals(rules, d):
    d(
        "convolve",
        "(a, v, mode='full')",
        vjp={"a": "rt.convolve_grad(g, a, v, 0, mode)", "v": "rt.convolve_grad(g, a, v, 1, mode)"},
        jvp="rt.lin(da, lambda t: np.convolve(t, v, mode))"
        " + rt.lin(dv, lambda t: np.convolve(a, t, mode))",
    )
    d(
        "correlate",
        "(a, v, mode='valid')",
        vjp={
            "a": "rt.correlate_grad(g, a, v, 0, mode)",
            "v": "rt.correlate_grad(g, a, v, 1, mode)",
        },
        jvp="rt.lin(da, lambda t: np.correlate(t, v, mode))"
        " + rt.lin(dv, lambda t: np.correlate(a, t, mode))",
    )
    d(
        "interp",
        "(x, xp, fp, left=None, right=None, period=None)",
        vjp={
            "x": "rt.interp_grad_x(g, x, xp, fp, period)",
            "xp": "rt.interp_grad_xp(g, x, xp, fp, period)",
            "fp": "rt.interp_grad_fp(g, x, xp, fp, left, right, period)",
            "left": "rt.interp_grad_edge(g, x, xp, 0, period)",
            "right": "rt.interp_grad_edge(g, x, xp, 1, period)",
        },
        jvp="rt.interp_jvp(dx, dxp, dfp, dleft, dright, x, xp, fp, left, right, period)",
    )
    d(
        "ediff1d",
        "(ary, to_end=None, to_begin=None)",
        vjp={"ary": "rt.ediff1d_grad(g, ary, to_begin)"},
        jvp="rt.ediff1d_jvp(dary, to_end, to_begin)",
    )


def _selections(rules, d):
    """Reshaping, selecting and polynomial functions."""
    d(
        "rollaxis",
        "(a, axis, start=0)",
        vjp={"a": "rt.rollaxis_grad(g, a, axis, start)"},
        jvp="np.rollaxis(da, axis, start)",
    )
    d(
        "resize",
        "(a, new_shape)",
        vjp={"a": "rt.resize_grad(g, a, new_shape)"},
        jvp="np.resize(da, new_shape)",
    )
    d(
        "compress",
        "(condition, a, axis=None, out=None)",
        vjp={"a": "rt.compress_grad(g, condition, a, axis)"},
        jvp="np.compress(condition, da, axis)",
    )
    d(
        "extract",
        "(condition, arr)",
        vjp={"arr": "rt.extract_grad(g, condition, arr)"},
        jvp="np.extract(condition, darr)",
    )
    d(
        "delete",
        "(arr, obj, axis=None)",
        vjp={"arr": "rt.delete_grad(g, arr, obj, axis)"},
        jvp="np.delete(darr, obj, axis)",
    )
    d(
        "choose",
        "(a, choices: list, out=None, mode='raise')",
        vjp={"choices": "rt.choose_grad(g, a, choices, mode)"},
        jvp="np.choose(a, rt.tangents(dchoices, choices), mode=mode)",
    )
    incl = "axis=axis, include_initial=include_initial"
    sig = "(x, *, axis=None, dtype=None, out=None, include_initial=False)"
    d(
        "cumulative_sum",
        sig,
        vjp={"x": "rt.cumulative_grad('sum', g, ans, x, axis, include_initial)"},
        jvp=f"np.cumulative_sum(dx, {incl})",
    )
    d(
        "cumulative_prod",
        sig,
        vjp={"x": "rt.cumulative_grad('prod', g, ans, x, axis, include_initial)"},
        jvp="rt.cumulative_prod_jvp(dx, ans, x, axis, include_initial)",
    )
    d(
        "polyval",
        "(p, x)",
        vjp={"p": "rt.polyval_grad_p(g, p, x)", "x": "rt.polyval_grad_x(g, p, x)"},
        jvp="rt.polyval_jvp(dp, dx, p, x)",
    )
    d(
        "vander",
        "(x, N=None, increasing=False)",
        vjp={"x": "rt.vander_grad(g, x, N, increasing)"},
        jvp="np.expand_dims(dx, 1) * rt.vander_deriv(x, N, increasing)",
    )
    d(
        "cov",
        "(m, y=None, rowvar=True, bias=False, ddof=None)",
        vjp={"m": "rt.cov_grad(g, m, rowvar, bias, ddof, y)"},
        jvp="rt.cov_jvp(dm, m, rowvar, bias, ddof, y)",
    )
    d(
        "quantile",
        "(a, q, axis=None, out=None, overwrite_input=False, method='linear', keepdims=False)",
        vjp={
            "a": "rt.quantile_grad(g, a, q, axis, keepdims, 1.0, method)",
            "q": "rt.quantile_grad_q(g, a, q, axis, keepdims, 1.0, method)",
        },
        jvp="rt.quantile_jvp(da, dq, a, q, axis, keepdims, 1.0, method)",
    )
    d(
        "percentile",
        "(a, q, axis=None, out=None, overwrite_input=False, method='linear', keepdims=False)",
        vjp={
            "a": "rt.quantile_grad(g, a, q, axis, keepdims, 0.01, method)",
            "q": "rt.quantile_grad_q(g, a, q, axis, keepdims, 0.01, method)",
        },
        jvp="rt.quantile_jvp(da, dq, a, q, axis, keepdims, 0.01, method)",
    )


def _methods(rules):
    def m(name, sig, **kw):
        return rules.define(f"numpy.ndarray.{name}", f"{name}(self{sig})", **kw)

    m(
        "take",
        ", indices, axis=None, out=None, mode='raise'",
        vjp={"self": "rt.take_vjp(g, self, indices, axis, mode)"},
        jvp="np.take(dself, indices, axis=axis, mode=mode)",
    )
    m(
        "diagonal",
        ", offset=0, axis1=0, axis2=1",
        vjp={"self": "rt.diagonal_vjp(g, self, offset, axis1, axis2)"},
        jvp="np.diagonal(dself, offset, axis1, axis2)",
    )
    m(
        "trace",
        ", offset=0, axis1=0, axis2=1, dtype=None, out=None",
        vjp={"self": "rt.trace_grad(g, self, offset, axis1, axis2)"},
        jvp="np.trace(dself, offset, axis1, axis2)",
    )
    m(
        "repeat",
        ", repeats, axis=None",
        vjp={"self": "rt.repeat_grad(g, self, repeats, axis)"},
        jvp="np.repeat(dself, repeats, axis)",
    )
    m("conjugate", "", vjp={"self": "np.conjugate(g)"}, jvp="np.conjugate(dself)")
    m("conj", "", vjp={"self": "np.conjugate(g)"}, jvp="np.conjugate(dself)")
    m(
        "item",
        ", *args",
        vjp={"self": "rt.item_grad(g, self, args)"},
        jvp="rt.item_jvp(dself, args)",
    )
    m(
        "compress",
        ", condition, axis=None, out=None",
        vjp={"self": "rt.compress_grad(g, condition, self, axis)"},
        jvp="np.compress(condition, dself, axis)",
    )
    m(
        "choose",
        ", choices: list, out=None, mode='raise'",
        vjp={"choices": "rt.choose_grad(g, self, choices, mode)"},
        jvp="np.choose(self, rt.tangents(dchoices, choices), mode=mode)",
    )
