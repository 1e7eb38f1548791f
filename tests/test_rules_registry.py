"""Every rule of the default library, checked numerically.

For each differentiable rule and each example input in CASES:

- vjp: <g, J v> by central differences equals <vjp(g), v>, per active param;
- jvp: the template (other tangents the literal 0.0) equals J v, per param
  and with every param moving at once;
- the cotangent of a param has the param's shape (after rt.unbroadcast for
  a broadcast param, as the engine does);
- float32 in, float32 cotangent out and float32 tangent out (numpy rules);
- the examples cover the signature: several inputs, operands of different
  shapes for a broadcasting rule, ``axis`` and ``keepdims`` where the
  function takes them.

A registered differentiable rule with no entry in CASES fails.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import rule_cases_more

from srcgrad import runtime as rt
from srcgrad.rules import default_rules
from srcgrad.rules.registry import resolve_object

RULES = default_rules()
NAMES = RULES.names()
EPS = 1e-6
RTOL = 1e-6

rng = np.random.default_rng(1234)


# -- example inputs -----------------------------------------------------------


def F(lo=-1.0, hi=1.0):
    """A Python float in [lo, hi)."""
    return float(rng.uniform(lo, hi))


def A(*shape, lo=-1.0, hi=1.0):
    """A float64 array in [lo, hi)."""
    return rng.uniform(lo, hi, size=shape)


def unary(name, lo=-1.0, hi=1.0):
    return [dict(x=F(lo, hi)), dict(x=A(3, lo=lo, hi=hi)), dict(x=A(2, 3, lo=lo, hi=hi))]


def scalar(lo=-1.0, hi=1.0, n=3):
    return [dict(x=F(lo, hi)) for _ in range(n)]


def binary(d1=(-1.0, 1.0), d2=(-1.0, 1.0), scalars=True):
    """Equal shapes, broadcasting pairs, a scalar with an array."""
    a = lambda *s: A(*s, lo=d1[0], hi=d1[1])
    b = lambda *s: A(*s, lo=d2[0], hi=d2[1])
    cases = [
        dict(x1=a(3), x2=b(3)),
        dict(x1=a(3, 1), x2=b(4)),
        dict(x1=a(4), x2=b(3, 1)),
        dict(x1=a(2, 3), x2=F(*d2)),
        dict(x1=F(*d1), x2=b(2, 3)),
    ]
    if scalars:
        cases.append(dict(x1=F(*d1), x2=F(*d2)))
    return cases


POS = (0.5, 2.0)
UNIT = (-0.9, 0.9)

# fmt: off
NP_UNARY_DOMAIN = {
    "sqrt": POS, "cbrt": POS, "reciprocal": POS, "log": POS, "log2": POS, "log10": POS,
    "log1p": (-0.5, 2.0), "arcsin": UNIT, "arccos": UNIT, "arctanh": UNIT,
    "arccosh": (1.2, 3.0),
}
MATH_DOMAIN = {
    "asin": UNIT, "acos": UNIT, "atanh": UNIT, "acosh": (1.2, 3.0), "log2": POS,
    "log10": POS, "log1p": (-0.5, 2.0), "sqrt": POS, "cbrt": POS, "gamma": (0.3, 3.0),
    "lgamma": (0.3, 3.0), "exp": (-2.0, 2.0),
}
# fmt: on

CASES: dict[str, list[dict]] = {}

# -- numpy elementwise
for _n in (
    "negative positive square sqrt cbrt reciprocal exp exp2 expm1 log log2 log10 log1p sin cos "
    "tan arcsin arccos arctan sinh cosh tanh arcsinh arccosh arctanh absolute fabs sinc "
    "deg2rad rad2deg"
).split():
    CASES[f"numpy.{_n}"] = unary(_n, *NP_UNARY_DOMAIN.get(_n, (-1.0, 1.0)))
CASES["numpy.sinc"].append(dict(x=np.array([0.0, 0.3, -1.2])))  # derivative 0 at 0
_BINARY = "add subtract multiply arctan2 hypot logaddexp logaddexp2 maximum minimum fmax fmin"
for _n in _BINARY.split():
    CASES[f"numpy.{_n}"] = binary()
CASES["numpy.copysign"] = binary(d1=POS) + binary(d1=(-2.0, -0.5))
CASES["numpy.divide"] = binary(d2=POS) + binary(d2=(-2.0, -0.5))
CASES["numpy.power"] = binary(d1=POS, d2=(-1.5, 2.0)) + [
    dict(x1=A(3, lo=-2, hi=2), x2=2),  # negative base, integer exponent
    dict(x1=A(3, lo=-2, hi=2), x2=0),  # x ** 0
]
CASES["numpy.float_power"] = binary(d1=POS, d2=(-1.5, 2.0))
CASES["numpy.mod"] = binary(d1=(-3.0, 3.0), d2=POS) + binary(d1=(-3.0, 3.0), d2=(-2.0, -0.5))
CASES["numpy.fmod"] = binary(d1=(-3.0, 3.0), d2=POS) + binary(d1=(-3.0, 3.0), d2=(-2.0, -0.5))
CASES["numpy.where"] = [
    dict(condition=A(3, 4) > 0, x=A(3, 1), y=A(4)),
    dict(condition=A(3, 4) > 0, x=A(3, 4), y=F()),
    dict(condition=A(4) > 0, x=F(), y=A(3, 4)),
    dict(condition=A(3, 1) > 0, x=A(3, 4), y=A(3, 4)),
]
CASES["numpy.clip"] = [
    dict(a=A(3, 4), a_min=-0.5, a_max=0.5),
    dict(a=A(3, 4), a_min=A(4, lo=-1, hi=0), a_max=None),
    dict(a=A(3, 4), a_min=None, a_max=A(3, 1, lo=0, hi=1)),
    dict(a=A(3, 1), a_min=A(4, lo=-1, hi=0), a_max=A(4, lo=0, hi=1)),
    dict(a=F(), a_min=-0.3, a_max=0.3),
]


# -- reductions (functions and methods)
def reduce_cases(name, a):
    x = lambda: A(2, 3, 4, lo=0.5, hi=1.5) if name == "prod" else A(2, 3, 4)
    cases = [
        {a: x()},
        {a: x(), "axis": 1},
        {a: x(), "axis": -1},
        {a: x(), "axis": (0, 2)},
        {a: x(), "axis": 1, "keepdims": True},
        {a: x(), "axis": (-1, 0), "keepdims": True},
        {a: x(), "keepdims": True},
        {a: A(5)},
    ]
    if name in ("var", "std"):
        cases += [{a: x(), "axis": 1, "ddof": 1}, {a: x(), "ddof": 1, "keepdims": True}]
    if name == "prod":  # zeros: the cotangent is the product of the others
        z = x()
        z[0, 1, 2] = 0.0
        z[1, 0, 0] = z[1, 0, 3] = 0.0
        cases += [{a: z}, {a: z.copy(), "axis": -1}, {a: z.copy(), "axis": (0, 1)}]
    if name == "cumsum":
        cases = [{a: x()}, {a: x(), "axis": 0}, {a: x(), "axis": -1}, {a: A(5), "axis": 0}]
    if name == "sum" and a == "a":
        cases.append({a: F()})
    return cases


for _n in ("sum", "mean", "prod", "max", "min", "var", "std", "cumsum"):
    CASES[f"numpy.{_n}"] = reduce_cases(_n, "a")
    CASES[f"numpy.ndarray.{_n}"] = reduce_cases(_n, "self")

# -- products
_MATMUL = [
    dict(x1=A(2, 3), x2=A(3, 4)),
    dict(x1=A(3), x2=A(3, 4)),
    dict(x1=A(2, 3), x2=A(3)),
    dict(x1=A(3), x2=A(3)),
    dict(x1=A(5, 2, 3), x2=A(3, 4)),
    dict(x1=A(2, 1, 2, 3), x2=A(4, 3, 2)),
]
CASES["numpy.matmul"] = _MATMUL
CASES["operator.matmul"] = _MATMUL
_DOT = [
    dict(a=A(3), b=A(3)),
    dict(a=A(2, 3), b=A(3)),
    dict(a=A(3), b=A(3, 4)),
    dict(a=A(2, 3), b=A(3, 4)),
    dict(a=A(2, 3, 4), b=A(5, 4, 2)),
    dict(a=A(2, 3, 4), b=A(4)),
    dict(a=F(), b=A(3, 2)),
    dict(a=A(3, 2), b=F()),
]
CASES["numpy.dot"] = _DOT
CASES["numpy.ndarray.dot"] = [
    {"self": c["a"], "b": c["b"]} for c in _DOT if isinstance(c["a"], np.ndarray)
]
CASES["numpy.einsum"] = [
    dict(subscripts=s, operands=ops)
    for s, ops in [
        ("ij,jk->ik", (A(2, 3), A(3, 4))),
        ("ij,jk", (A(2, 3), A(3, 4))),
        ("i,i", (A(3), A(3))),
        ("i,j->ij", (A(3), A(2))),
        ("ij->ji", (A(2, 3),)),
        ("ij->", (A(2, 3),)),
        ("ij->i", (A(2, 3),)),
        ("ii->i", (A(3, 3),)),
        ("ii", (A(3, 3),)),
        ("iij,j->i", (A(2, 2, 3), A(3))),
        ("ij,ij,j->i", (A(2, 3), A(2, 3), A(3))),
        ("bij,bjk->bik", (A(4, 2, 3), A(4, 3, 2))),
        ("...ij,...jk->...ik", (A(4, 2, 3), A(3, 2))),
        ("...i,i", (A(2, 3), A(3))),
        ("ij,j->ij", (A(2, 3), A(1))),  # a broadcast size-1 axis
        ("i, k -> ik", (A(3), A(2))),
    ]
]

# -- shapes
CASES["numpy.reshape"] = [
    dict(a=A(2, 3, 4), shape=(6, 4)),
    dict(a=A(2, 3, 4), shape=(-1,)),
    dict(a=A(2, 3, 4), shape=(4, 6), order="F"),
    dict(a=A(6), shape=(2, 3)),
]
CASES["numpy.ravel"] = [dict(a=A(2, 3)), dict(a=A(2, 3, 2), order="F")]
CASES["numpy.squeeze"] = [dict(a=A(2, 1, 3)), dict(a=A(2, 1, 3, 1), axis=1)]
CASES["numpy.expand_dims"] = [dict(a=A(2, 3), axis=1), dict(a=A(2, 3), axis=(0, -1))]
CASES["numpy.transpose"] = [
    dict(a=A(2, 3, 4)),
    dict(a=A(2, 3, 4), axes=(1, 2, 0)),
    dict(a=A(2, 3, 4), axes=(-1, 0, 1)),
]
CASES["numpy.swapaxes"] = [
    dict(a=A(2, 3, 4), axis1=0, axis2=2),
    dict(a=A(2, 3), axis1=-1, axis2=0),
]
CASES["numpy.moveaxis"] = [
    dict(a=A(2, 3, 4), source=0, destination=-1),
    dict(a=A(2, 3, 4), source=[0, 1], destination=[2, 0]),
]
CASES["numpy.broadcast_to"] = [
    dict(array=A(3, 1), shape=(2, 3, 4)),
    dict(array=A(4), shape=(3, 4)),
    dict(array=F(), shape=(3,)),
]
CASES["numpy.flip"] = [dict(m=A(2, 3)), dict(m=A(2, 3), axis=1), dict(m=A(2, 3, 2), axis=(0, 2))]
CASES["numpy.tile"] = [
    dict(A=A(2, 3), reps=2),
    dict(A=A(2, 3), reps=(2, 1, 2)),
    dict(A=A(3), reps=(2, 2)),
    dict(A=A(2, 3, 2), reps=(3, 1)),
]
CASES["numpy.roll"] = [
    dict(a=A(5), shift=2),
    dict(a=A(2, 3), shift=-1),
    dict(a=A(2, 3), shift=1, axis=1),
    dict(a=A(2, 3, 4), shift=(1, -2), axis=(0, 2)),
]
CASES["numpy.triu"] = [dict(m=A(3, 3)), dict(m=A(2, 3, 4), k=1)]
CASES["numpy.tril"] = [dict(m=A(3, 3)), dict(m=A(2, 4, 3), k=-1)]
CASES["numpy.trace"] = [
    dict(a=A(3, 3)),
    dict(a=A(3, 4), offset=1),
    dict(a=A(2, 3, 4), offset=-1, axis1=1, axis2=2),
    dict(a=A(3, 2, 3), axis1=-1, axis2=0),
]
CASES["numpy.outer"] = [dict(a=A(3), b=A(4)), dict(a=A(2, 2), b=A(3)), dict(a=F(), b=A(2))]
CASES["numpy.diag"] = [
    dict(v=A(3)),
    dict(v=A(3), k=1),
    dict(v=A(3, 3)),
    dict(v=A(3, 4), k=1),
    dict(v=A(4, 3), k=-2),
]
CASES["numpy.diff"] = [dict(a=A(5)), dict(a=A(3, 5), n=2), dict(a=A(4, 3), axis=0)]
CASES["numpy.repeat"] = [
    dict(a=A(3), repeats=2),
    dict(a=A(2, 3), repeats=2),
    dict(a=A(2, 3), repeats=[1, 0, 3], axis=1),
    dict(a=A(2, 3), repeats=3, axis=-2),
]
CASES["numpy.sort"] = [dict(a=A(5)), dict(a=A(3, 4), axis=0), dict(a=A(3, 4), axis=None)]
CASES["numpy.concatenate"] = [
    dict(arrays=[A(2, 3), A(4, 3)]),
    dict(arrays=[A(2, 3), A(2, 1), A(2, 2)], axis=-1),
    dict(arrays=[A(2, 3), A(4)], axis=None),
]
CASES["numpy.stack"] = [
    dict(arrays=[A(2, 3), A(2, 3)]),
    dict(arrays=[A(2, 3), A(2, 3), A(2, 3)], axis=-1),
    dict(arrays=[F(), F()]),
]
CASES["numpy.vstack"] = [dict(tup=[A(3), A(2, 3)]), dict(tup=[A(2, 3, 2), A(1, 3, 2)])]
CASES["numpy.hstack"] = [
    dict(tup=[A(3), A(2)]),
    dict(tup=[A(2, 3), A(2, 1)]),
    dict(tup=[F(), A(2)]),
]
CASES["numpy.array"] = [
    dict(object=[F(), F(), F()]),
    dict(object=[[F(), F()], [F(), F()]]),
    dict(object=[A(3), A(3)]),
    dict(object=A(2, 3)),
    dict(object=F()),
]
CASES["numpy.asarray"] = [dict(a=[F(), F()]), dict(a=A(2, 3)), dict(a=[A(2), A(2)])]
CASES["numpy.copy"] = [dict(a=A(2, 3)), dict(a=F())]

# -- array methods
CASES["numpy.ndarray.reshape"] = [
    {"self": A(2, 3, 4), "shape": ((6, 4),)},
    {"self": A(2, 3, 4), "shape": (6, 4)},
    {"self": A(2, 3, 4), "shape": (-1,)},
    {"self": A(2, 3, 4), "shape": (4, -1), "order": "F"},
]
CASES["numpy.ndarray.transpose"] = [
    {"self": A(2, 3, 4)},
    {"self": A(2, 3, 4), "axes": (1, 2, 0)},
    {"self": A(2, 3, 4), "axes": ((2, 0, 1),)},
    {"self": A(2, 3), "axes": (None,)},
]
CASES["numpy.ndarray.ravel"] = [{"self": A(2, 3)}, {"self": A(2, 3), "order": "F"}]
CASES["numpy.ndarray.flatten"] = [{"self": A(2, 3)}, {"self": A(2, 3), "order": "F"}]
CASES["numpy.ndarray.copy"] = [{"self": A(2, 3)}, {"self": A(4)}]
CASES["numpy.ndarray.squeeze"] = [{"self": A(2, 1, 3)}, {"self": A(1, 3, 1), "axis": 0}]
CASES["numpy.ndarray.swapaxes"] = [
    {"self": A(2, 3, 4), "axis1": 1, "axis2": -1},
    {"self": A(2, 3), "axis1": 0, "axis2": 1},
]
CASES["numpy.ndarray.astype"] = [
    {"self": A(2, 3), "dtype": np.float64},
    {"self": A(2, 3, lo=-5, hi=5), "dtype": np.int64},
    {"self": A(3), "dtype": "float64"},
]
CASES["numpy.ndarray.clip"] = [
    {"self": A(3, 4), "min": -0.5, "max": 0.5},
    {"self": A(3, 4), "min": A(4, lo=-1, hi=0)},
    {"self": A(3, 4), "max": A(3, 1, lo=0, hi=1)},
]

# -- operators and builtins
CASES["operator.add"] = binary()
CASES["operator.sub"] = binary()
CASES["operator.mul"] = binary()
CASES["operator.truediv"] = binary(d2=POS) + binary(d2=(-2.0, -0.5))
CASES["operator.mod"] = binary(d1=(-3.0, 3.0), d2=POS) + binary(d1=(-3.0, 3.0), d2=(-2.0, -0.5))
CASES["operator.pow"] = binary(d1=POS, d2=(-1.5, 2.0)) + [
    dict(x1=F(-2, 2), x2=3),
    dict(x1=A(3, lo=-2, hi=2), x2=2),
    dict(x1=2, x2=F()),  # an int base
    # log(0) guarded: d/dx2 is 0 (no finite difference in x1 across 0)
    dict(x1=0.0, x2=F(1.0, 2.0), _wrt=("x2",)),
    dict(x1=np.array([0.0, 0.5, 1.5]), x2=A(3, lo=1.0, hi=2.0), _wrt=("x2",)),
]
CASES["operator.neg"] = unary("neg")
CASES["operator.pos"] = unary("pos")
CASES["builtins.abs"] = [dict(x=F()), dict(x=F()), dict(x=A(3))]
CASES["builtins.float"] = [dict(x=F()), dict(x=np.array(F())), dict(x=3.5)]
CASES["builtins.max"] = [dict(x1=F(), x2=F()) for _ in range(4)] + [dict(x1=1.0, x2=-1.0)]
CASES["builtins.min"] = [dict(x1=F(), x2=F()) for _ in range(4)] + [dict(x1=1.0, x2=-1.0)]

# -- math
for _n in (
    "sin cos tan asin acos atan sinh cosh tanh asinh acosh atanh exp expm1 exp2 log2 log10 "
    "log1p sqrt cbrt fabs erf erfc gamma lgamma degrees radians"
).split():
    if hasattr(math, _n):
        CASES[f"math.{_n}"] = scalar(*MATH_DOMAIN.get(_n, (-1.0, 1.0)))
CASES["math.gamma"] += [dict(x=-1.5), dict(x=-0.3), dict(x=7.5)]
CASES["math.lgamma"] += [dict(x=-1.5), dict(x=12.5), dict(x=40.0)]
CASES["math.log"] = [dict(x=F(*POS)), dict(x=F(*POS), base=F(1.5, 4.0)), dict(x=3.0, base=10.0)]
CASES["math.pow"] = [dict(x=F(*POS), y=F(-1.5, 2.0)) for _ in range(3)] + [dict(x=-1.5, y=3)]
CASES["math.atan2"] = [dict(y=F(), x=F()) for _ in range(3)]
CASES["math.hypot"] = [dict(coordinates=(F(), F())), dict(coordinates=(F(), F(), F()))]
CASES["math.dist"] = [dict(p=[F(), F()], q=[F(), F()]), dict(p=(F(), F(), F()), q=(F(), F(), F()))]
CASES["math.fsum"] = [dict(seq=[F(), F(), F()])]
CASES["math.copysign"] = [dict(x=F(0.2, 1), y=F(0.2, 1)), dict(x=F(0.2, 1), y=F(-1, -0.2))]
CASES["math.fmod"] = [dict(x=F(-3, 3), y=F(*POS)), dict(x=F(-3, 3), y=F(-2, -0.5))]
CASES["math.remainder"] = [dict(x=F(-3, 3), y=F(*POS)), dict(x=F(-3, 3), y=F(-2, -0.5))]
CASES["math.ldexp"] = [dict(x=F(), i=3), dict(x=F(), i=-2)]
if hasattr(math, "fma"):
    CASES["math.fma"] = [dict(x=F(), y=F(), z=F())]

# numpy_more_rules and linalg_rules
CASES.update(rule_cases_more.cases(A, F, binary, unary))

# float32 cotangents: these legitimately compute in float64 (or change dtype).
NOT_FLOAT32 = {
    "numpy.float_power",  # always float64 by definition
}


# -- trees: a param is a scalar, an array, or a list/tuple of those ------------


def tmap(f, *trees):
    if isinstance(trees[0], (list, tuple)):
        kids = [tmap(f, *kids) for kids in zip(*trees, strict=True)]
        return type(trees[0])(kids) if not hasattr(trees[0], "_fields") else tuple(kids)
    return f(*trees)


def leaves(tree):
    if isinstance(tree, (list, tuple)):
        return [leaf for kid in tree for leaf in leaves(kid)]
    return [tree]


def is_float(x):
    if isinstance(x, (list, tuple)):
        return bool(x) and all(is_float(v) for v in x)
    return type(x) is float or (isinstance(x, np.ndarray) and x.dtype.kind == "f")


def random_like(x):
    return tmap(
        lambda v: (
            float(rng.standard_normal())
            if np.ndim(v) == 0 and type(v) is float
            else rng.standard_normal(np.shape(v))
        ),
        x,
    )


def inner(a, b):
    return sum(
        float(np.sum(np.asarray(x) * np.asarray(y)))
        for x, y in zip(leaves(a), leaves(b), strict=True)
    )


# -- calling a primitive, its templates ----------------------------------------


def defaults(rule, args):
    """Every param bound: the case's value or the signature's default."""
    out = {}
    for p in rule.params:
        if p.name in args:
            out[p.name] = args[p.name]
        elif p.kind == "varargs":
            out[p.name] = ()
        else:
            out[p.name] = eval(p.default, {"np": np, "math": math})
    return out


def call(rule, fn, args):
    """Call the primitive with the case's arguments (positional where possible)."""
    pos, kw = [], {}
    positional = [p for p in rule.params if p.kind == "positional"]
    has_var = any(p.kind == "varargs" and p.name in args for p in rule.params)
    last = max([i for i, p in enumerate(positional) if p.name in args], default=-1)
    if has_var:
        last = len(positional) - 1
    bound = defaults(rule, args)
    for i, p in enumerate(positional):
        if i <= last:
            pos.append(bound[p.name])
    for p in rule.params:
        if p.kind == "varargs" and p.name in args:
            pos.extend(args[p.name])
        elif p.kind == "keyword" and p.name in args:
            kw[p.name] = args[p.name]
    return fn(*pos, **kw)


def jvp_function(rule):
    names = [p.name for p in rule.params]
    params = ", ".join(["ans"] + names + ["d" + n for n in names])
    src = f"def _jvp({params}):\n    return {rule.jvp}\n"
    ns = {"np": np, "rt": rt, "math": math}
    exec(compile(src, f"<jvp {rule.name}>", "exec"), ns)
    return ns["_jvp"]


def finite_difference(rule, fn, args, direction):
    """J v by central differences; ``direction`` maps param -> tangent."""

    def moved(sign):
        new = dict(args)
        for p, v in direction.items():
            new[p] = tmap(lambda x, t: x + sign * EPS * t, args[p], v)
        return call(rule, fn, new)

    return tmap(lambda a, b: (np.asarray(a) - np.asarray(b)) / (2 * EPS), moved(1), moved(-1))


def assert_close(actual, expected, what):
    if isinstance(expected, (list, tuple)):  # several outputs (np.split, np.linalg.svd)
        assert isinstance(actual, (list, tuple)) and len(actual) == len(expected), what
        for k, (a, e) in enumerate(zip(actual, expected)):
            assert_close(a, e, f"{what}[{k}]")
        return
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    scale = 1.0 + float(np.max(np.abs(expected), initial=0.0))
    err = float(np.max(np.abs(actual - expected), initial=0.0))
    assert err <= 10 * RTOL * scale, f"{what}: max error {err:.3g} (scale {scale:.3g})"


def active_params(rule, args):
    wrt = args.get("_wrt", rule.vjp)
    return [p for p in rule.vjp if p in wrt and p in args and is_float(args[p])]


def cotangent(rule, param, g, ans, bound):
    ct = rule.vjp_function(param)(g, ans, *bound.values())
    if param in rule.broadcast:
        ct = rt.unbroadcast(ct, bound[param])
    return ct


def check_case(rule, fn, args):
    bound = defaults(rule, args)
    ans = call(rule, fn, args)
    g = random_like(ans)
    params = active_params(rule, args)
    assert params, f"{rule.name}: case {args} has no differentiable argument"
    jvp = jvp_function(rule) if rule.jvp else None
    directions = {p: random_like(args[p]) for p in params}
    for p, v in directions.items():
        jv = finite_difference(rule, fn, args, {p: v})
        # vjp: <g, J v> == <vjp(g), v>, and the cotangent has the param's shape.
        ct = cotangent(rule, p, g, ans, bound)
        for c, x in zip(leaves(ct), leaves(args[p]), strict=True):
            assert np.shape(c) == np.shape(x), (
                f"{rule.name}: cotangent of {p} has shape {np.shape(c)}, the argument {np.shape(x)}"
            )
        lhs, rhs = inner(g, jv), inner(ct, v)
        scale = 1.0 + abs(lhs) + inner(tmap(np.abs, g), tmap(np.abs, jv))
        assert abs(lhs - rhs) <= 10 * RTOL * scale, (
            f"{rule.name}: vjp of {p}: <g, Jv> = {lhs!r} but <vjp(g), v> = {rhs!r} ({args})"
        )
        # jvp, with every other tangent the literal 0.0.
        if jvp is not None:
            tangents = {"d" + q: 0.0 for q in bound}
            tangents["d" + p] = v
            out = jvp(ans, *bound.values(), *tangents.values())
            assert_close(out, jv, f"{rule.name}: jvp in {p} ({args})")
            if isinstance(v, (list, tuple)) and len(v) > 1:  # one element moving
                v0 = type(v)([v[0]] + [0.0] * (len(v) - 1))
                tangents["d" + p] = v0
                out = jvp(ans, *bound.values(), *tangents.values())
                vz = type(v)([v[0]] + [tmap(lambda t: 0 * t, t) for t in v[1:]])
                jv0 = finite_difference(rule, fn, args, {p: vz})
                assert_close(out, jv0, f"{rule.name}: jvp in {p}[0]")
    if jvp is not None and len(directions) > 1:
        tangents = {"d" + q: directions.get(q, 0.0) for q in bound}
        out = jvp(ans, *bound.values(), *tangents.values())
        assert_close(
            out,
            finite_difference(rule, fn, args, directions),
            f"{rule.name}: jvp in all params ({args})",
        )


def to_float32(x):
    return tmap(
        lambda v: v.astype(np.float32) if isinstance(v, np.ndarray) and v.dtype.kind == "f" else v,
        x,
    )


def check_float32(rule, fn, args):
    args32 = {k: to_float32(v) for k, v in args.items()}
    bound = defaults(rule, args32)
    ans = call(rule, fn, args32)
    if np.result_type(*leaves(ans)) != np.float32:
        return  # the primitive itself promotes (np.outer of a Python float)
    g = to_float32(random_like(ans))
    jvp = jvp_function(rule) if rule.jvp else None
    for p in active_params(rule, args32):
        ct = cotangent(rule, p, g, ans, bound)
        for c, x in zip(leaves(ct), leaves(args32[p]), strict=True):
            if isinstance(x, np.ndarray):
                assert np.asarray(c).dtype == np.float32, (
                    f"{rule.name}: float32 {p} got a {np.asarray(c).dtype} cotangent"
                )
        if jvp is not None and any(isinstance(x, np.ndarray) for x in leaves(args32[p])):
            tangents = {"d" + q: 0.0 for q in bound}
            tangents["d" + p] = to_float32(random_like(args32[p]))
            out = jvp(ans, *bound.values(), *tangents.values())
            for t, y in zip(leaves(out), leaves(ans), strict=True):
                if np.asarray(y).dtype == np.float32:
                    assert np.asarray(t).dtype == np.float32, (
                        f"{rule.name}: float32 tangent of {p} gave a {np.asarray(t).dtype} output"
                    )


# -- the tests -------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_rule(name):
    rule = RULES.get(name)
    fn = resolve_object(name)
    assert callable(fn), name
    if rule.name != name:  # an alias: the target is another spelling of name
        assert callable(resolve_object(rule.name))
        return
    if rule.nondiff:
        return
    assert name in CASES, f"{name} has no example inputs in CASES"
    with np.errstate(all="raise"):
        for args in CASES[name]:
            check_case(rule, fn, args)
            if name.startswith("numpy.") and name not in NOT_FLOAT32:
                check_float32(rule, fn, args)


def _shapes(args, rule):
    return [np.shape(args[p]) for p in rule.broadcast if p in args]


@pytest.mark.parametrize("name", [n for n in NAMES if n in CASES])
def test_cases_cover_the_signature(name):
    """Several inputs per rule; a broadcasting rule is checked on operands of different
    shapes; a reduction with keepdims (or axis) is checked with it."""
    rule, cases = RULES.get(name), CASES[name]
    assert len(cases) >= 2 or all(p.kind != "positional" or p.default is not None
                                  for p in rule.params[1:]) and _one_input_is_enough(rule), (
        f"{name}: only one example input")
    if len(rule.broadcast) > 1:
        assert any(len(set(_shapes(c, rule))) > 1 for c in cases), (
            f"{name}: no example broadcasts operands of different shapes")
    params = {p.name for p in rule.params}
    for flag in ("keepdims", "axis"):
        if flag in params:
            assert any(c.get(flag) is not None and c.get(flag) is not False for c in cases), (
                f"{name}: no example with {flag}")


def _one_input_is_enough(rule):
    """Functions of a single array with no options (np.fliplr): one example suffices."""
    return len(rule.params) == 1


def test_every_case_is_a_registered_rule():
    stale = sorted(n for n in CASES if n not in NAMES or RULES.get(n).nondiff)
    assert not stale, f"CASES for names with no differentiable rule: {stale}"


def test_default_rules_is_a_fresh_layer():
    a, b = default_rules(), default_rules()
    assert a is not b and len(a) == len(b) > 0
    a.define("numpy.tanh", "tanh(x)", vjp={"x": "g"})  # overrides in a only
    assert a.get("numpy.tanh").vjp["x"] == "g"
    assert b.get("numpy.tanh").vjp["x"] != "g"


def test_pow_exponent_at_zero_base_is_finite():
    rule = RULES.get("numpy.power")
    x1, x2 = np.array([0.0, 2.0]), np.array([2.0, 3.0])
    ct = rule.vjp_function("x2")(np.ones(2), x1**x2, x1, x2)
    assert np.all(np.isfinite(ct)) and ct[0] == 0.0
    ct = RULES.get("operator.pow").vjp_function("x2")(1.0, 0.0, 0.0, 2.0)
    assert ct == 0.0


def test_max_min_ties():
    # builtins: the whole cotangent to the argument returned (the first on a tie).
    mx = RULES.get("builtins.max")
    assert mx.vjp_function("x1")(1.0, 2.0, 2.0, 2.0) == 1.0
    assert mx.vjp_function("x2")(1.0, 2.0, 2.0, 2.0) == 0.0
    # numpy elementwise: split equally.
    rule = RULES.get("numpy.maximum")
    x1, x2 = np.array([1.0, 2.0]), np.array([1.0, 3.0])
    ans = np.maximum(x1, x2)
    assert list(rule.vjp_function("x1")(np.ones(2), ans, x1, x2)) == [0.5, 0.0]
    assert list(rule.vjp_function("x2")(np.ones(2), ans, x1, x2)) == [0.5, 1.0]


def test_scalar_rules_keep_python_floats():
    for name, param, args in [
        ("builtins.abs", "x", (2.0, -2.0)),
        ("operator.mul", "x1", (6.0, 2.0, 3.0)),
        ("operator.pow", "x2", (8.0, 2.0, 3.0)),
        ("math.sin", "x", (math.sin(0.5), 0.5)),
    ]:
        ct = RULES.get(name).vjp_function(param)(1.0, *args)
        assert type(ct) is float, (name, type(ct))


@pytest.mark.parametrize("shapes", [((3,), (5, 3, 2)), ((5, 2, 3), (3,))])
@pytest.mark.parametrize("name", ["numpy.matmul", "operator.matmul"])
def test_matmul_vector_with_stack(name, shapes):
    rule = RULES.get(name)
    check_case(rule, resolve_object(name), dict(x1=A(*shapes[0]), x2=A(*shapes[1])))


def test_astype_casts_the_cotangent_back():
    rule = RULES.get("numpy.ndarray.astype")
    x = np.ones(3, dtype=np.float32)
    ct = rule.vjp_function("self")(np.ones(3), x.astype(np.float64), x, np.float64)
    assert ct.dtype == np.float32
    ct = rule.vjp_function("self")(np.ones(3), x.astype(np.int64), x, np.int64)
    assert ct.dtype == np.float32 and not ct.any()
