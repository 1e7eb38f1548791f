"""Derivatives of numpy functions (``numpy.*``) and array methods (``numpy.ndarray.*``).

Every template writes ``np.`` for the array module, so the same rule serves
numpy and cupy callers; helpers live in ``srcgrad.runtime`` (``rt``).
"""

from __future__ import annotations

from srcgrad.rules.python_rules import DIFF_JVP, POW_JVP, POW_VJP, SUM_JVP

BIN = "(x1, x2)"
BOTH = ("x1", "x2")

# -- elementwise ------------------------------------------------------------

# name -> d f(x) / dx, written with x and ans = f(x).  vjp is g * (...), jvp dx * (...).
# Constants are Python numbers so that float32 stays float32.
UNARY = {
    "square": "2 * x",
    "sqrt": "0.5 / ans",
    "cbrt": "1 / (3 * ans * ans)",
    "reciprocal": "-ans * ans",
    "exp": "ans",
    "exp2": "ans * math.log(2)",
    "expm1": "ans + 1",
    "log": "1 / x",
    "log2": "1 / (x * math.log(2))",
    "log10": "1 / (x * math.log(10))",
    "log1p": "1 / (1 + x)",
    "sin": "np.cos(x)",
    "cos": "-np.sin(x)",
    "tan": "1 + ans * ans",
    "arcsin": "1 / np.sqrt(1 - x * x)",
    "arccos": "-1 / np.sqrt(1 - x * x)",
    "arctan": "1 / (1 + x * x)",
    "sinh": "np.cosh(x)",
    "cosh": "np.sinh(x)",
    "tanh": "1 - ans * ans",
    "arcsinh": "1 / np.sqrt(x * x + 1)",
    "arccosh": "1 / np.sqrt(x * x - 1)",
    "arctanh": "1 / (1 - x * x)",
    "absolute": "np.sign(x)",  # subgradient 0 at 0
    "fabs": "np.sign(x)",
    "sinc": "rt.sinc_deriv(x, ans)",
}

# name -> (d/dx1, d/dx2) of an elementwise binary function, with x1, x2, ans.
BINARY = {
    "multiply": ("x2", "x1"),
    "arctan2": ("x2 / (x1 * x1 + x2 * x2)", "-x1 / (x1 * x1 + x2 * x2)"),
    "hypot": ("x1 / ans", "x2 / ans"),
    "logaddexp": ("np.exp(x1 - ans)", "np.exp(x2 - ans)"),
    "logaddexp2": ("np.exp2(x1 - ans)", "np.exp2(x2 - ans)"),
    "copysign": ("rt.sign(x1) * rt.sign(ans)", "0"),
}

# Elementwise picks: the cotangent goes to the operand picked, ties split.
PICKS = ("maximum", "minimum", "fmax", "fmin")

REDUCE = "(a, axis=None, dtype=None, out=None, keepdims=False)"
MINMAX = "(a, axis=None, out=None, keepdims=False)"
VAR = "(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False)"

NONDIFF = """
    floor ceil round around rint trunc fix sign signbit floor_divide
    argmax argmin argsort nonzero flatnonzero count_nonzero searchsorted
    isnan isfinite isinf isclose allclose array_equal all any
    greater greater_equal less less_equal equal not_equal
    logical_and logical_or logical_xor logical_not
    shape ndim size
    zeros ones empty zeros_like ones_like empty_like
    arange logspace eye identity
""".split()


def register(rules):
    d = lambda name, sig, **kw: rules.define(f"numpy.{name}", name.rsplit(".", 1)[-1] + sig, **kw)
    nondiff = lambda name: rules.nondiff(f"numpy.{name}")

    # -- elementwise ----------------------------------------------------
    d("negative", "(x)", vjp={"x": "-g"}, jvp="-dx")
    d("positive", "(x)", vjp={"x": "g"}, jvp="dx")
    for name, deriv in UNARY.items():
        d(name, "(x)", vjp={"x": f"g * ({deriv})"}, jvp=f"dx * ({deriv})")
    d("deg2rad", "(x)", vjp={"x": "g * (math.pi / 180)"}, jvp="dx * (math.pi / 180)")
    d("rad2deg", "(x)", vjp={"x": "g * (180 / math.pi)"}, jvp="dx * (180 / math.pi)")
    rules.alias("numpy.abs", "numpy.absolute")
    rules.alias("numpy.radians", "numpy.deg2rad")
    rules.alias("numpy.degrees", "numpy.rad2deg")

    b = lambda name, **kw: d(name, BIN, broadcast=BOTH, **kw)
    b("add", vjp={"x1": "g", "x2": "g"}, jvp=SUM_JVP)
    b("subtract", vjp={"x1": "g", "x2": "-g"}, jvp=DIFF_JVP)
    b("divide", vjp={"x1": "g / x2", "x2": "-g * ans / x2"}, jvp="(dx1 - dx2 * ans) / x2")
    rules.alias("numpy.true_divide", "numpy.divide")
    b("power", vjp=POW_VJP, jvp=POW_JVP)
    b("float_power", vjp=POW_VJP, jvp=POW_JVP)
    for name, (d1, d2) in BINARY.items():
        b(name, vjp={"x1": f"g * ({d1})", "x2": f"g * ({d2})"}, jvp=f"dx1 * ({d1}) + dx2 * ({d2})")
    for name in PICKS:
        b(
            name,
            vjp={"x1": "rt.pick_grad(g, x1, x2, ans)", "x2": "rt.pick_grad(g, x2, x1, ans)"},
            jvp="rt.pick_grad(dx1, x1, x2, ans) + rt.pick_grad(dx2, x2, x1, ans)",
        )
    # mod(x1, x2) == x1 - floor(x1 / x2) * x2;  fmod truncates instead.
    b(
        "mod",
        vjp={"x1": "g", "x2": "-g * np.floor_divide(x1, x2)"},
        jvp="rt.broadcast_like(dx1 - dx2 * np.floor_divide(x1, x2), ans)",
    )
    rules.alias("numpy.remainder", "numpy.mod")
    b(
        "fmod",
        vjp={"x1": "g", "x2": "-g * np.trunc(x1 / x2)"},
        jvp="rt.broadcast_like(dx1 - dx2 * np.trunc(x1 / x2), ans)",
    )
    # where(condition, x, y): condition carries no gradient.
    d(
        "where",
        "(condition, x, y)",
        broadcast=("condition", "x", "y"),  # the condition widens the result too
        vjp={"x": "np.where(condition, g, 0)", "y": "np.where(condition, 0, g)"},
        jvp="rt.broadcast_like(np.where(condition, dx, dy), ans)",
    )
    d(
        "clip",
        "(a, a_min=None, a_max=None)",
        broadcast=("a", "a_min", "a_max"),
        vjp={
            "a": "g * rt.clip_mask(a, a_min, a_max)",
            "a_min": "g * (a < a_min)",
            "a_max": "g * (a > a_max)",
        },
        jvp="rt.clip_jvp(da, da_min, da_max, a, a_min, a_max, ans)",
    )

    # -- reductions ------------------------------------------------------
    _reductions(rules, "numpy.{}", "a")
    rules.alias("numpy.amax", "numpy.max")
    rules.alias("numpy.amin", "numpy.min")

    # -- products --------------------------------------------------------
    d(
        "dot",
        "(a, b)",
        vjp={"a": "rt.dot_grad_a(g, a, b)", "b": "rt.dot_grad_b(g, a, b)"},
        jvp="rt.lin(da, lambda t: np.dot(t, b)) + rt.lin(db, lambda t: np.dot(a, t))",
    )
    d(
        "matmul",
        BIN,
        vjp={"x1": "rt.matmul_grad_a(g, x1, x2)", "x2": "rt.matmul_grad_b(g, x1, x2)"},
        jvp="rt.lin(dx1, lambda t: np.matmul(t, x2)) + rt.lin(dx2, lambda t: np.matmul(x1, t))",
    )
    # The cotangent of the varargs `operands` is a tuple, one per operand.
    d(
        "einsum",
        "(subscripts, *operands)",
        vjp={"operands": "rt.einsum_vjp(g, subscripts, operands)"},
        jvp="rt.einsum_jvp(subscripts, doperands, operands)",
    )

    # -- shapes ----------------------------------------------------------
    back = {"a": "np.reshape(g, np.shape(a))"}  # undo any reshaping of a
    d(
        "reshape",
        "(a, shape, order='C')",
        vjp={"a": "np.reshape(g, np.shape(a), order=order)"},
        jvp="np.reshape(da, shape, order=order)",
    )
    d(
        "ravel",
        "(a, order='C')",
        vjp={"a": "np.reshape(g, np.shape(a), order=order)"},
        jvp="np.ravel(da, order=order)",
    )
    d("squeeze", "(a, axis=None)", vjp=back, jvp="np.squeeze(da, axis)")
    d("expand_dims", "(a, axis)", vjp=back, jvp="np.expand_dims(da, axis)")
    d(
        "transpose",
        "(a, axes=None)",
        vjp={"a": "rt.transpose_grad(g, axes)"},
        jvp="np.transpose(da, axes)",
    )
    d(
        "swapaxes",
        "(a, axis1, axis2)",
        vjp={"a": "np.swapaxes(g, axis1, axis2)"},
        jvp="np.swapaxes(da, axis1, axis2)",
    )
    d(
        "moveaxis",
        "(a, source, destination)",
        vjp={"a": "np.moveaxis(g, destination, source)"},
        jvp="np.moveaxis(da, source, destination)",
    )
    d(
        "broadcast_to",
        "(array, shape)",
        vjp={"array": "rt.unbroadcast(g, array)"},
        jvp="np.broadcast_to(darray, shape)",
    )
    d("flip", "(m, axis=None)", vjp={"m": "np.flip(g, axis)"}, jvp="np.flip(dm, axis)")
    d("tile", "(A, reps)", vjp={"A": "rt.tile_grad(g, A, reps)"}, jvp="np.tile(dA, reps)")
    d(
        "roll",
        "(a, shift, axis=None)",
        vjp={"a": "np.roll(g, rt.negate(shift), axis)"},
        jvp="np.roll(da, shift, axis)",
    )
    d("triu", "(m, k=0)", vjp={"m": "np.triu(g, k)"}, jvp="np.triu(dm, k)")
    d("tril", "(m, k=0)", vjp={"m": "np.tril(g, k)"}, jvp="np.tril(dm, k)")
    d(
        "trace",
        "(a, offset=0, axis1=0, axis2=1)",
        vjp={"a": "rt.trace_grad(g, a, offset, axis1, axis2)"},
        jvp="np.trace(da, offset, axis1, axis2)",
    )
    d(
        "outer",
        "(a, b)",
        vjp={
            "a": "np.reshape(np.dot(g, np.ravel(rt.array_like(b, g))), np.shape(a))",
            "b": "np.reshape(np.dot(np.ravel(rt.array_like(a, g)), g), np.shape(b))",
        },
        jvp="rt.lin(da, lambda t: np.outer(t, b)) + rt.lin(db, lambda t: np.outer(a, t))",
    )
    d(
        "diag",
        "(v, k=0)",
        vjp={"v": "np.diagonal(g, k) if np.ndim(v) == 1 else rt.diagonal_grad(g, v, k)"},
        jvp="np.diag(dv, k)",
    )
    d(
        "diff",
        "(a, n=1, axis=-1)",
        vjp={"a": "rt.diff_grad(g, n, axis)"},
        jvp="np.diff(da, n, axis)",
    )
    d(
        "repeat",
        "(a, repeats, axis=None)",
        vjp={"a": "rt.repeat_grad(g, a, repeats, axis)"},
        jvp="np.repeat(da, repeats, axis)",
    )
    d("sort", "(a, axis=-1)", vjp={"a": "rt.sort_grad(g, a, axis)"}, jvp="rt.sort_jvp(da, a, axis)")
    # List arguments: the cotangent is a list, one entry per array.
    d(
        "concatenate",
        "(arrays: list, axis=0)",
        vjp={"arrays": "rt.concatenate_grad(g, arrays, axis)"},
        jvp="np.concatenate(rt.tangents(darrays, arrays), axis=axis)",
    )
    d(
        "stack",
        "(arrays: list, axis=0)",
        vjp={"arrays": "rt.stack_grad(g, len(arrays), axis)"},
        jvp="np.stack(rt.tangents(darrays, arrays), axis=axis)",
    )
    d(
        "vstack",
        "(tup: list)",
        vjp={"tup": "rt.vstack_grad(g, tup)"},
        jvp="np.vstack(rt.tangents(dtup, tup))",
    )
    d(
        "hstack",
        "(tup: list)",
        vjp={"tup": "rt.hstack_grad(g, tup)"},
        jvp="np.hstack(rt.tangents(dtup, tup))",
    )

    # -- conversions -----------------------------------------------------
    d(
        "array",
        "(object: list, dtype=None)",
        vjp={"object": "rt.array_grad(g, object)"},
        jvp="np.array(rt.fill_tangents(dobject, object), dtype=dtype)",
    )
    d(
        "asarray",
        "(a: list, dtype=None)",
        vjp={"a": "rt.array_grad(g, a)"},
        jvp="np.asarray(rt.fill_tangents(da, a), dtype=dtype)",
    )
    d("copy", "(a)", vjp={"a": "g"}, jvp="np.copy(da)")

    for name in NONDIFF:
        nondiff(name)

    _methods(rules)


def _reductions(rules, fmt, a):
    """sum, mean, prod, max, min, var, std, cumsum as functions or methods."""
    d = lambda name, sig, **kw: rules.define(fmt.format(name), name + sig.replace("a", a, 1), **kw)
    keep = "axis=axis, keepdims=keepdims"
    d("sum", REDUCE, vjp={a: f"rt.sum_grad(g, {a}, axis, keepdims)"}, jvp=f"np.sum(d{a}, {keep})")
    d(
        "mean",
        REDUCE,
        vjp={a: f"rt.mean_grad(g, {a}, axis, keepdims)"},
        jvp=f"np.mean(d{a}, {keep})",
    )
    d(
        "prod",
        REDUCE,
        vjp={a: f"rt.prod_grad(g, {a}, axis, keepdims)"},
        jvp=f"rt.prod_jvp(d{a}, {a}, axis, keepdims)",
    )
    # max / min: the cotangent is shared equally between tied extremes.
    for name in ("max", "min"):
        d(
            name,
            MINMAX,
            vjp={a: f"rt.minmax_grad(g, ans, {a}, axis, keepdims)"},
            jvp=f"rt.minmax_jvp(d{a}, ans, {a}, axis, keepdims)",
        )
    d(
        "var",
        VAR,
        vjp={a: f"rt.var_grad(g, {a}, axis, ddof, keepdims)"},
        jvp=f"rt.var_jvp(d{a}, {a}, axis, ddof, keepdims)",
    )
    # std = sqrt(var): d std = d var / (2 * std).
    d(
        "std",
        VAR,
        vjp={a: f"rt.var_grad(g / (2 * ans), {a}, axis, ddof, keepdims)"},
        jvp=f"rt.var_jvp(d{a}, {a}, axis, ddof, keepdims) / (2 * ans)",
    )
    d(
        "cumsum",
        "(a, axis=None, dtype=None, out=None)",
        vjp={a: f"rt.cumsum_grad(g, {a}, axis)"},
        jvp=f"np.cumsum(d{a}, axis=axis)",
    )


def _methods(rules):
    """Array methods, ``x.sum(...)``: named numpy.ndarray.<method>, ``self`` first."""
    _reductions(rules, "numpy.ndarray.{}", "self")
    m = lambda name, sig, **kw: rules.define(f"numpy.ndarray.{name}", f"{name}(self{sig})", **kw)
    back = {"self": "np.reshape(g, np.shape(self))"}
    # x.reshape(3, 4) and x.reshape((3, 4)): `shape` is the tuple of arguments.
    m(
        "reshape",
        ", *shape, order='C'",
        vjp={"self": "np.reshape(g, np.shape(self), order=order)"},
        jvp="np.reshape(dself, rt.shape_arg(shape), order=order)",
    )
    m(
        "transpose",
        ", *axes",
        vjp={"self": "rt.transpose_grad(g, rt.axes_arg(axes))"},
        jvp="np.transpose(dself, rt.axes_arg(axes))",
    )
    m(
        "ravel",
        ", order='C'",
        vjp={"self": "np.reshape(g, np.shape(self), order=order)"},
        jvp="np.ravel(dself, order=order)",
    )
    m(
        "flatten",
        ", order='C'",
        vjp={"self": "np.reshape(g, np.shape(self), order=order)"},
        jvp="np.ravel(np.copy(dself), order=order)",
    )
    m("squeeze", ", axis=None", vjp=back, jvp="np.squeeze(dself, axis)")
    m(
        "swapaxes",
        ", axis1, axis2",
        vjp={"self": "np.swapaxes(g, axis1, axis2)"},
        jvp="np.swapaxes(dself, axis1, axis2)",
    )
    m("copy", ", order='C'", vjp={"self": "g"}, jvp="np.copy(dself)")
    m(
        "dot",
        ", b",
        vjp={"self": "rt.dot_grad_a(g, self, b)", "b": "rt.dot_grad_b(g, self, b)"},
        jvp="rt.lin(dself, lambda t: np.dot(t, b)) + rt.lin(db, lambda t: np.dot(self, t))",
    )
    m(
        "astype",
        ", dtype",
        vjp={"self": "rt.astype_grad(g, self, dtype)"},
        jvp="rt.astype_jvp(dself, dtype)",
    )
    m(
        "clip",
        ", min=None, max=None",
        broadcast=("self", "min", "max"),
        vjp={
            "self": "g * rt.clip_mask(self, min, max)",
            "min": "g * (self < min)",
            "max": "g * (self > max)",
        },
        jvp="rt.clip_jvp(dself, dmin, dmax, self, min, max, ans)",
    )
    for name in ("argmax", "argmin", "argsort", "nonzero", "all", "any"):
        rules.nondiff(f"numpy.ndarray.{name}")
