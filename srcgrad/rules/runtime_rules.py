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
}


def register(rules: RuleSet) -> None:
    for helper, (sig, diff) in LINEAR.items():
        params = sig.strip("()").split(", ")
        args = ", ".join(("d" + p if p.split("=")[0] in diff else p.split("=")[0])
                         for p in params)
        rules.define_forward(f"srcgrad.runtime.{helper}", helper + sig,
                             jvp=f"rt.{helper}({args})", diff=diff)
    f = rules.define_forward
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
    f("srcgrad.runtime.log0", "log0(x)", jvp="rt.lin(dx, lambda t: t * rt.div0(x))",
      diff=("x",))
    # written in place: the tangent gets the same update
    f("srcgrad.runtime.take_grad", "take_grad(acc, idx)", jvp="rt.take_grad(dacc, idx)",
      diff=("acc",), inplace="acc")
    f("srcgrad.runtime.add_at", "add_at(acc, idx, g)",
      jvp="rt.add_at(dacc, idx, dg)", diff=("g",), inplace="acc")
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
