"""Derivatives of Python's ``math`` module (Python floats in, Python floats out).

Templates follow float semantics: at a singular point (``sqrt`` at 0, ``acos``
at 1) a division by zero raises ZeroDivisionError, as ``math`` itself raises
ValueError at a point outside its domain.
"""

from __future__ import annotations

import math

# name -> d f(x) / dx, written with x and ans = f(x).  vjp is g * (...), jvp dx * (...).
UNARY = {
    "sin": "math.cos(x)",
    "cos": "-math.sin(x)",
    "tan": "1.0 + ans * ans",
    "asin": "1.0 / math.sqrt(1.0 - x * x)",
    "acos": "-1.0 / math.sqrt(1.0 - x * x)",
    "atan": "1.0 / (1.0 + x * x)",
    "sinh": "math.cosh(x)",
    "cosh": "math.sinh(x)",
    "tanh": "1.0 - ans * ans",
    "asinh": "1.0 / math.sqrt(x * x + 1.0)",
    "acosh": "1.0 / math.sqrt(x * x - 1.0)",
    "atanh": "1.0 / (1.0 - x * x)",
    "exp": "ans",
    "expm1": "ans + 1.0",
    "exp2": "ans * math.log(2.0)",  # Python >= 3.11
    "log2": "1.0 / (x * math.log(2.0))",
    "log10": "1.0 / (x * math.log(10.0))",
    "log1p": "1.0 / (1.0 + x)",
    "sqrt": "0.5 / ans",
    "cbrt": "1.0 / (3.0 * ans * ans)",  # Python >= 3.11
    "fabs": "rt.sign(x)",
    "erf": "2.0 / math.sqrt(math.pi) * math.exp(-x * x)",
    "erfc": "-2.0 / math.sqrt(math.pi) * math.exp(-x * x)",
    "gamma": "ans * rt.digamma(x)",
    "lgamma": "rt.digamma(x)",
}

NONDIFF = (
    "floor ceil trunc isnan isfinite isinf isclose factorial comb perm gcd lcm isqrt ulp"
).split()


def register(rules):
    for name, deriv in UNARY.items():
        if hasattr(math, name):
            rules.define(
                f"math.{name}", f"{name}(x)", vjp={"x": f"g * ({deriv})"}, jvp=f"dx * ({deriv})"
            )
    # Linear maps: apply the map itself to the cotangent / tangent.
    for name in ("degrees", "radians"):
        rules.define(
            f"math.{name}", f"{name}(x)", vjp={"x": f"math.{name}(g)"}, jvp=f"math.{name}(dx)"
        )

    # log(x, base) == ln(x) / ln(base).
    rules.define(
        "math.log",
        "log(x, base=None)",
        vjp={
            "x": "g / x if base is None else g / (x * math.log(base))",
            "base": "-g * ans / (base * math.log(base))",
        },
        jvp="dx / x if base is None else (dx / x - dbase * ans / base) / math.log(base)",
    )
    rules.define(
        "math.pow",
        "pow(x, y)",
        vjp={"x": "g * rt.pow_dx(x, y)", "y": "g * ans * rt.log0(x)"},
        jvp="rt.lin(dx, lambda t: t * rt.pow_dx(x, y))"
        " + rt.lin(dy, lambda t: t * ans * rt.log0(x))",
    )
    rules.define(
        "math.atan2",
        "atan2(y, x)",
        vjp={"y": "g * x / (x * x + y * y)", "x": "-g * y / (x * x + y * y)"},
        jvp="(dy * x - dx * y) / (x * x + y * y)",
    )
    # hypot(*coordinates): the varargs cotangent is a tuple; 0 at the origin.
    rules.define(
        "math.hypot",
        "hypot(*coordinates)",
        vjp={"coordinates": "tuple(g * c / ans if ans else 0.0 for c in coordinates)"},
        jvp="sum(t * c for t, c in zip(rt.tangents(dcoordinates, coordinates), coordinates))"
        " / ans if ans else 0.0",
    )
    rules.define(
        "math.dist",
        "dist(p: list, q: list)",
        vjp={
            "p": "[g * (a - b) / ans if ans else 0.0 for a, b in zip(p, q)]",
            "q": "[g * (b - a) / ans if ans else 0.0 for a, b in zip(p, q)]",
        },
        jvp="sum((a - b) * (s - t) for a, b, s, t in zip(p, q, rt.tangents(dp, p),"
        " rt.tangents(dq, q))) / ans if ans else 0.0",
    )
    rules.define(
        "math.fsum",
        "fsum(seq: list)",
        vjp={"seq": "[g for _ in seq]"},
        jvp="math.fsum(rt.tangents(dseq, seq))",
    )
    # copysign(x, y) == |x| * sign(y): y only contributes a sign.
    rules.define(
        "math.copysign",
        "copysign(x, y)",
        vjp={"x": "g * math.copysign(1.0, x) * math.copysign(1.0, ans)", "y": "0.0"},
        jvp="dx * math.copysign(1.0, x) * math.copysign(1.0, ans)",
    )
    # fmod(x, y) == x - trunc(x / y) * y;  remainder(x, y) == x - round(x / y) * y.
    rules.define(
        "math.fmod",
        "fmod(x, y)",
        vjp={"x": "g", "y": "-g * math.trunc(x / y)"},
        jvp="dx - dy * math.trunc(x / y)",
    )
    rules.define(
        "math.remainder",
        "remainder(x, y)",
        vjp={"x": "g", "y": "-g * round(x / y)"},
        jvp="dx - dy * round(x / y)",
    )
    rules.define(
        "math.ldexp", "ldexp(x, i)", vjp={"x": "math.ldexp(g, i)"}, jvp="math.ldexp(dx, i)"
    )
    if hasattr(math, "fma"):  # Python >= 3.13
        rules.define(
            "math.fma",
            "fma(x, y, z)",
            vjp={"x": "g * y", "y": "g * x", "z": "g"},
            jvp="dx * y + x * dy + dz",
        )
    for name in NONDIFF:
        if hasattr(math, name):
            rules.nondiff(f"math.{name}")
