"""Derivatives of Python's operators (``operator.*``) and builtins.

The same templates serve Python scalars and arrays (``x * y`` on floats or
on ndarrays); helpers from ``srcgrad.runtime`` keep scalars Python scalars.
"""

from __future__ import annotations

BIN = "(x1, x2)"
BOTH = ("x1", "x2")

# jvp of a sum: the other operand's tangent may be the literal 0.0, and the
# output may be broader than either operand (x1 of shape (3, 1), x2 of (4,)).
SUM_JVP = "rt.broadcast_like(dx1 + dx2, ans)"
DIFF_JVP = "rt.broadcast_like(dx1 - dx2, ans)"

# x1 ** x2.  The exponent's cotangent uses log(x1), taken as 0 at x1 == 0.
POW_VJP = {"x1": "g * rt.pow_dx(x1, x2)", "x2": "g * ans * rt.log0(x1)"}
POW_JVP = (
    "rt.lin(dx1, lambda t: t * rt.pow_dx(x1, x2)) + rt.lin(dx2, lambda t: t * ans * rt.log0(x1))"
)


def register(rules):
    op = lambda name, **kw: rules.define(f"operator.{name}", f"{name}{BIN}", broadcast=BOTH, **kw)
    op("add", vjp={"x1": "g", "x2": "g"}, jvp=SUM_JVP)
    op("sub", vjp={"x1": "g", "x2": "-g"}, jvp=DIFF_JVP)
    op("mul", vjp={"x1": "g * x2", "x2": "g * x1"}, jvp="dx1 * x2 + x1 * dx2")
    op("truediv", vjp={"x1": "g / x2", "x2": "-g * ans / x2"}, jvp="(dx1 - dx2 * ans) / x2")
    # x1 % x2 == x1 - (x1 // x2) * x2, and x1 // x2 is piecewise constant.
    op(
        "mod",
        vjp={"x1": "g", "x2": "-g * (x1 // x2)"},
        jvp="rt.broadcast_like(dx1 - dx2 * (x1 // x2), ans)",
    )
    op("pow", vjp=POW_VJP, jvp=POW_JVP)
    rules.nondiff("operator.floordiv", f"floordiv{BIN}")

    # The matmul helpers unbroadcast themselves (batch dimensions).
    rules.define(
        "operator.matmul",
        f"matmul{BIN}",
        vjp={"x1": "rt.matmul_grad_a(g, x1, x2)", "x2": "rt.matmul_grad_b(g, x1, x2)"},
        jvp="rt.lin(dx1, lambda t: t @ x2) + rt.lin(dx2, lambda t: x1 @ t)",
    )
    rules.define("operator.neg", "neg(x)", vjp={"x": "-g"}, jvp="-dx")
    rules.define("operator.pos", "pos(x)", vjp={"x": "g"}, jvp="dx")
    for name in ("lt", "le", "gt", "ge", "eq", "ne", "not_", "truth"):
        rules.nondiff(f"operator.{name}")

    # -- builtins --------------------------------------------------------
    # abs: the subgradient at 0 is 0 (as np.sign).
    rules.define("builtins.abs", "abs(x)", vjp={"x": "g * rt.sign(x)"}, jvp="dx * rt.sign(x)")
    rules.alias("operator.abs", "builtins.abs")
    # float() of a 0-d or one-element array: the cotangent takes its shape back.
    rules.define("builtins.float", "float(x)", vjp={"x": "g"}, jvp="float(dx)", broadcast=("x",))
    rules.alias("builtins.pow", "operator.pow")  # two-argument pow(base, exp)
    # Two-argument max / min of scalars.  Python returns the first argument
    # on a tie, and the whole cotangent goes to the argument returned.
    rules.define(
        "builtins.max",
        f"max{BIN}",
        vjp={"x1": "0.0 if x2 > x1 else g", "x2": "g if x2 > x1 else 0.0"},
        jvp="dx2 if x2 > x1 else dx1",
    )
    rules.define(
        "builtins.min",
        f"min{BIN}",
        vjp={"x1": "0.0 if x2 < x1 else g", "x2": "g if x2 < x1 else 0.0"},
        jvp="dx2 if x2 < x1 else dx1",
    )
    for name in ("int", "bool", "len", "range", "round"):
        rules.nondiff(f"builtins.{name}")
