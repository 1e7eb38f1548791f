"""Forward rules of the runtime helpers that reverse-mode code calls.

Second derivatives run forward mode over generated reverse-mode code, so every
``rt.*`` helper that a library vjp template or the reverse generator can emit
needs a forward rule (or a reasoned place in ``NO_FORWARD_RULE``).  Each
forward rule is checked against central differences of the helper itself on
the inputs in ``SAMPLES``.
"""

import copy
import math
import pathlib
import re

import numpy as np
import pytest

from srcgrad import runtime as rt
from srcgrad.rules import library
from srcgrad.rules.runtime_rules import with_runtime

LAYER = with_runtime(library())
TRANSFORMS = pathlib.Path(__file__).resolve().parent.parent / "transforms"

# helpers emitted by reverse-mode code that still lack a forward rule, and why
# (hvp then raises a located "srcgrad.runtime.X has no forward rule yet"); none today
NO_FORWARD_RULE: dict[str, str] = {}
# names the forward-mode generator (not the reverse one) emits: forward mode is
# never applied to forward-mode code, so they need no forward rule
FORWARD_ONLY = {"copy", "minmax_jvp", "select_tangent"}


def emitted_helpers():
    """``{helper: where}`` for every rt.* name a vjp template or the reverse generator emits."""
    used = {}
    lib = library()
    for name in lib.names():
        rule = lib.get(name)
        for template in (rule.vjp or {}).values() if rule is not None else ():
            for helper in re.findall(r"\brt\.(\w+)", template or ""):
                used.setdefault(helper, name)
    for path in sorted(TRANSFORMS.glob("*.py")):
        if path.name == "tangent.py":
            continue
        for helper in re.findall(r'rtcall\("(\w+)"', path.read_text()):
            used.setdefault(helper, f"transforms/{path.name}")
    return used


def test_every_emitted_helper_has_a_forward_rule():
    missing = {h: where for h, where in emitted_helpers().items()
               if LAYER.own(f"srcgrad.runtime.{h}") is None and h not in NO_FORWARD_RULE}
    assert not missing, f"rt helpers without a forward rule (add one or list why): {missing}"


def test_the_exclusions_are_current():
    used = emitted_helpers()
    for helper in NO_FORWARD_RULE:
        assert helper in used, f"{helper} is no longer emitted; drop it from NO_FORWARD_RULE"
        assert LAYER.own(f"srcgrad.runtime.{helper}") is None, f"{helper} has a rule now"
    tangent_py = (TRANSFORMS / "tangent.py").read_text()
    for helper in FORWARD_ONLY:
        assert f'rtcall("{helper}"' in tangent_py and helper not in used


# -- each forward rule against differences of its helper ------------------------------

rng = np.random.default_rng(7)


def r(*shape):
    return rng.normal(size=shape)


A = r(3, 3) + 3 * np.eye(3)
X23 = np.array([[0.3, -1.2, 2.0], [1.5, 0.1, -0.7]])
XN = np.array([[0.5, np.nan, 2.0], [1.5, -1.1, np.nan]])
XP, FP = np.array([0.0, 1.0, 2.5, 4.0]), r(4)
LSQ_A, LSQ_B = r(5, 3), r(5)
LSQ = np.linalg.lstsq(LSQ_A, LSQ_B)
LSQ_G = (r(3), r(1), 0.0, r(3))
P = np.cumprod(np.array([1.2, -0.8, 1.5, 0.9]))

# helper: positional arguments (g first where it has one), keyed by the helper's name
SAMPLES = {
    "list": ((r(2), r(3)),),
    "tuple": ([r(2), r(3)],),
    "add": ([r(2), 1.5], [r(2), -0.5]),
    "add_at": (r(4), np.array([0, 2, 0]), r(3)),
    "append_grad": (r(5), r(2), r(3)),
    "array_grad": (r(2), [1.0, 2.0]),
    "array_like": (1.5, r(3)),
    "astype_grad": (r(3), r(3), np.float64),
    "average_grad_a": (r(2), X23, 1, np.array([0.5, 1.5, 2.0])),
    "average_grad_w": (r(2), np.average(X23, 1, [0.5, 1.5, 2.0]), X23, 1,
                       np.array([0.5, 1.5, 2.0])),
    "choose_grad": (r(3), np.array([0, 1, 0]), [r(3), r(3)]),
    "column_stack_grad": (r(3, 3), [r(3), r(3, 2)]),
    "compress_grad": (r(2), np.array([True, False, True]), r(3)),
    "concatenate_grad": (r(5), [r(2), r(3)]),
    "convolve_grad": (r(6), r(4), r(3), 0),
    "correlate_grad": (r(3), r(5), r(3), 1),
    "cross_grad": (r(3), r(3), r(3), 0),
    "cumprod_grad": (r(4), P, np.array([1.2, -0.8, 1.5, 0.9])),
    "cumsum_grad": (r(4), r(4)),
    "cumulative_grad": ("prod", r(4), P, np.array([1.2, -0.8, 1.5, 0.9])),
    "delete_grad": (r(2), r(3), 1),
    "det_grad": (0.7, np.linalg.det(A), A),
    "diagflat_grad": (r(3, 3), r(3)),
    "diagonal_grad": (r(3), r(3, 3)),
    "diagonal_vjp": (r(3), r(3, 3)),
    "diff_grad": (r(4),),
    "dot_grad_a": (r(2), r(2, 3), r(3)),
    "dot_grad_b": (r(2), r(2, 3), r(3)),
    "dstack_grad": (r(1, 3, 2), [r(3), r(3)]),
    "ediff1d_grad": (r(3), r(4)),
    "einsum_vjp": (r(2, 4), "ij,jk->ik", [r(2, 3), r(3, 4)]),
    "extract_grad": (r(2), np.array([True, False, True]), r(3)),
    "hstack_grad": (r(5), [r(2), r(3)]),
    "index_grad": (r(2), r(4), slice(1, 3)),
    "inner_grad_a": (r(2, 2), r(2, 3), r(2, 3)),
    "inner_grad_b": (r(2, 2), r(2, 3), r(2, 3)),
    "interp_grad_edge": (r(3), np.array([-1.0, 0.5, 5.0]), XP, 0),
    "interp_grad_x": (r(3), np.array([0.4, 1.7, 3.1]), XP, FP),
    "item_grad": (0.8, r(2, 3), (1,)),
    "kron_grad": (r(4, 6), r(2, 2), r(2, 3), 1),
    "linspace_grad": (r(5), 0.5, 2.0, 5),
    "log0": (np.array([0.5, 1.5, 2.5]),),
    "matmul_grad_a": (r(2, 4), r(2, 3), r(3, 4)),
    "matmul_grad_b": (r(2, 4), r(2, 3), r(3, 4)),
    "matrix_power_grad": (r(3, 3), A, 3),
    "mean_grad": (r(2), X23, 1),
    "median_grad": (r(2), X23, 1),
    "minmax_grad": (r(2), np.max(X23, 1), X23, 1),
    "multi_dot_grad": (r(2, 2), [r(2, 3), r(3, 4), r(4, 2)]),
    "nan_zero": (r(2, 3), XN),
    "nancumsum_grad": (r(6), XN),
    "nanmean_grad": (r(2), XN, 1),
    "nanvar_grad": (r(2), XN, 1),
    "norm_vjp": (0.9, np.linalg.norm(X23[0], 3), X23[0], 3),
    "matrix_norm_vjp": (0.9, np.linalg.norm(A, "nuc"), A, False, "nuc"),
    "pad_grad": (r(7), r(3), 2, "reflect"),
    "pad_grad_constant": (r(7), r(3), 2),
    "pinv_grad": (r(3, 2), np.linalg.pinv(r(2, 3)), r(2, 3)),
    "cholesky_grad": (r(3, 3), np.linalg.cholesky(A @ A.T)),
    "interp_grad_fp": (r(3), np.array([0.4, 1.7, 3.1]), XP, FP),
    "quantile_grad": (r(2, 2), X23, np.array([0.3, 0.8]), 1),
    "quantile_grad_q": (r(2, 2), X23, np.array([0.3, 0.8]), 1),
    "vector_norm_vjp": (r(2), np.linalg.vector_norm(X23, axis=1, ord=3), X23, 1, False, 3),
    "nanprod_grad": (r(2), XN, 1),
    "polyval_grad_p": (r(3), r(4), r(3)),
    "polyval_grad_x": (r(3), r(4), r(3)),
    "vander_grad": (r(3, 4), r(3), 4),
    "sinc_deriv": (np.array([0.3, -1.2, 2.5]), np.sinc([0.3, -1.2, 2.5])),
    "interp_grad_xp": (r(3), np.array([0.4, 1.7, 3.1]), XP, FP),
    "digamma": (0.7,),
    "cov_grad": (r(2, 2), r(2, 5)),
    "eigvalsh_grad": (r(3), A),
    "eigh_grad": ((r(3), r(3, 3)), (np.array([0.5, 1.5, 3.0]), np.linalg.qr(r(3, 3))[0])),
    "qr_grad": ((r(4, 3), r(3, 3)), (np.linalg.qr(r(4, 3))[0], np.triu(r(3, 3)) + 3 * np.eye(3)),
                r(4, 3)),
    "svd_grad": ((r(3, 3), r(3), r(3, 3)),
                 (np.linalg.qr(r(3, 3))[0], np.array([3.0, 1.5, 0.5]), np.linalg.qr(r(3, 3))[0]),
                 r(3, 3)),
    "lstsq_grad_a": (LSQ_G, LSQ, LSQ_A, LSQ_B),
    "lstsq_grad_b": (LSQ_G, LSQ, LSQ_A, LSQ_B),
    "pick_grad": (r(3), np.array([1.0, 2.0, 3.0]), np.array([2.0, 1.0, 4.0]),
                  np.array([2.0, 2.0, 4.0])),
    "pow_dx": (np.array([0.5, 1.5]), np.array([2.5, 1.3])),
    "prod_grad": (r(2), X23, 1),
    "ptp_grad": (r(2), X23, 1),
    "repeat_grad": (r(6), r(3), 2),
    "repeat_list_grad": ([1.0, 2.0, 3.0, 4.0], 2, 2),
    "reshape_each": ((r(1, 3), r(1, 1)), (r(3), 2.0)),
    "resize_grad": (r(5), r(3), 5),
    "rollaxis_grad": (r(3, 2, 4), r(2, 4, 3), 2),
    "save": (r(4), slice(1, 3)),
    "select_default_grad": (r(3), [np.array([True, False, False])], r(3)),
    "select_grad": (0.6, [1.0, 2.0], 2.0),
    "select_vjp": (r(3), [np.array([True, False, True]), np.array([True, True, False])],
                   [r(3), r(3)]),
    "slogdet_grad": ((0.0, 0.7), A),
    "snapshot": (r(3),),
    "solve_grad_a": (r(3), np.linalg.solve(A, np.ones(3)), A, np.ones(3)),
    "solve_grad_b": (r(3, 2), A, r(3, 2)),
    "sort_grad": (r(3), np.array([2.0, 0.5, 1.0])),
    "stack_grad": (r(2, 3), 2),
    "sum_grad": (r(2), X23, 1),
    "take_along_axis_vjp": (r(2, 2), r(2, 3), np.array([[0, 2], [1, 1]]), 1),
    "take_grad": (r(4), slice(1, 3)),
    "take_vjp": (r(3), r(4), np.array([0, 3, 0])),
    "tensordot_grad_a": (r(2, 4), r(2, 3), r(3, 4), 1),
    "tensordot_grad_b": (r(2, 4), r(2, 3), r(3, 4), 1),
    "tile_grad": (r(6), r(3), 2),
    "trace_grad": (0.4, r(3, 3)),
    "transpose_grad": (r(3, 2),),
    "unbroadcast": (r(2, 3), r(3)),
    "unbroadcast_each": ([r(2, 3), r(2, 3)], [r(3), r(2, 1)]),
    "unpack_grad": ([r(3), r(3)], r(2, 3)),
    "var_grad": (r(2), X23, 1),
    "vdot_grad": (0.8, r(2, 2), r(4)),
    "vstack_grad": (r(2, 3), [r(3), r(3)]),
    "writable": (r(3), r(3)),
}


def _tangent_like(x):
    if isinstance(x, (list, tuple)):
        return type(x)(_tangent_like(v) for v in x)
    if isinstance(x, np.ndarray):
        return rng.normal(size=x.shape)
    return float(rng.normal())


def _axpy(x, t, eps):
    if isinstance(x, (list, tuple)):
        return type(x)(_axpy(v, tv, eps) for v, tv in zip(x, t))
    return x + eps * t


def _flat(v):
    if isinstance(v, (list, tuple)):
        parts = [_flat(e) for e in v]
        return np.concatenate(parts) if parts else np.zeros(0)
    return np.ravel(np.asarray(v, dtype=float))


def _call(rule, fn, args):
    """The helper's result and, for one that writes in place, what it wrote."""
    args = copy.deepcopy(args)
    out = fn(*args)
    if rule.inplace is None:
        return out
    k = [p.name for p in rule.params].index(rule.inplace)
    return out, args[k]


def _jvp(rule, args, tangents):
    env = {"np": np, "rt": rt, "math": math}
    for p, a in zip(rule.params, args):
        env[p.name] = copy.deepcopy(a)
    for p in rule.params[len(args):]:
        env[p.name] = eval(p.default)
    for name, t in tangents.items():
        env["d" + name] = copy.deepcopy(t)
    out = eval(rule.jvp, env)
    if rule.inplace is None:
        return out
    return out, env["d" + rule.inplace]


FORWARD_RULES = sorted(n for n in LAYER._rules if not LAYER._rules[n].nondiff)
# rt.select_grad (max/min of a list) is shadowed by runtime_numpy's np.select helper of
# the same name, so reverse-mode max(list) fails today; fixed in runtime_numpy, not here
SHADOWED = set()  # helpers hidden by a same-named one in a re-exported module


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(strict=True, reason="helper shadowed"))
    if n in SHADOWED else n for n in FORWARD_RULES])
def test_forward_rule_matches_differences_of_the_helper(name):
    rule = LAYER.own(name)
    helper = rule.short
    assert helper in SAMPLES, f"add sample arguments for {helper} to SAMPLES"
    args = SAMPLES[helper]
    fn = getattr(rt, helper) if name.startswith("srcgrad.") else {"list": list,
                                                                  "tuple": tuple}[helper]
    names = [p.name for p in rule.params]
    diff = [p for p in names[:len(args)] if p in rule.vjp or p == rule.inplace]
    tangents = {p: _tangent_like(args[names.index(p)]) for p in diff}

    def shifted_along(tans, eps):
        moved = list(args)
        for p, t in tans.items():
            if not rt._is_zero(t):
                moved[names.index(p)] = _axpy(moved[names.index(p)], t, eps)
        return _flat(_call(rule, fn, moved))

    def shifted(eps):
        return shifted_along(tangents, eps)

    eps = 1e-6
    expected = (shifted(eps) - shifted(-eps)) / (2 * eps)
    got = _jvp(rule, args, tangents)
    np.testing.assert_allclose(_flat(got), expected, rtol=1e-5, atol=1e-6)
    assert np.any(expected != 0) or not tangents, "a sample whose tangent is zero checks nothing"
    if len(tangents) > 1:
        # one tangent at a time, the others the literal zero the engine passes
        for p in tangents:
            # (the engine gives a written-into argument a zero array, never 0.0)
            alone = {q: t if q == p else np.zeros_like(t) if q == rule.inplace else 0.0
                     for q, t in tangents.items()}
            part = (shifted_along(alone, eps) - shifted_along(alone, -eps)) / (2 * eps)
            np.testing.assert_allclose(_flat(_jvp(rule, args, alone)), part,
                                       rtol=1e-5, atol=1e-6, err_msg=f"d{p} alone")


def test_reexported_runtime_modules_do_not_shadow_each_other():
    """runtime.py star-imports runtime_numpy, runtime_linalg and runtime_forward: a public
    name defined twice would silently replace a helper generated code relies on."""
    import ast
    import importlib
    from pathlib import Path

    defined = {}
    for mod in ("srcgrad.runtime", "srcgrad.runtime_numpy", "srcgrad.runtime_linalg",
                "srcgrad.runtime_forward"):
        path = Path(importlib.import_module(mod).__file__)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                assert node.name not in defined, (
                    f"{mod}.{node.name} shadows {defined[node.name]}.{node.name}")
                defined[node.name] = mod


def test_max_of_a_list_reverse_and_forward():
    import srcgrad

    def f(x, y):
        return max([x * 2.0, y])

    assert srcgrad.grad(f, wrt=(0, 1))(1.5, 2.0) == (2.0, 0.0)
    assert srcgrad.jvp(f, (1.5, 2.0), (1.0, 1.0))[1] == 2.0
