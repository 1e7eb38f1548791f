"""Sum a reversed loop's outer products into a cotangent with one matrix product.

The cotangent of a matrix in ``A @ x`` (``A`` 2-D, ``x`` 1-D) is an outer
product, ``g[:, None] * x``.  Inside a loop, the reverse sweep adds one to
``dA`` at every step; a person writing the gradient by hand keeps the
vectors and multiplies them once, after the loop::

    for ...:                                 for ...:
        ...                                      ...
        dA += g[:, None] * x                     dA_left.append(g)
                                                 dA_right.append(x)
                                             if dA_left:
                                                 dA += np.stack(dA_left).T @ np.stack(dA_right)

``stack(left).T @ stack(right)`` is the sum over the steps of
``left[i][:, None] * right[i]``: one BLAS call instead of a small array
operation per step.  Done for an outer-product contribution (marked
``_sg_outer`` where the reverse sweep writes it) to a name that the loop
only adds to, in a reversed loop at the top level of the function, where
neither vector is written into in the loop (the list keeps the object, not
its value at the time).

Requires: the final reverse sweep; ``array_module()`` gives the array module's name
(asked only where a loop has outer products).
"""

import gast

from .ast_util import assign, name
from .forward import _mutated_in_place

OUTER = "_sg_outer"


def gather_outer_sums(rev, array_module, namer):
    """Rewrite the top-level reversed loops of ``rev`` in place."""
    out = []
    for st in rev:
        if isinstance(st, gast.For) and getattr(st, "_sg_loop_of", None) is not None:
            before, after = _gather(st, array_module, namer)
            out += before + [st] + after
        else:
            out.append(st)
    rev[:] = out


def _outer(s):
    """(g, x) for ``T += g[:, None] * x`` marked as an outer product, else None."""
    if not (isinstance(s, gast.AugAssign) and isinstance(s.op, gast.Add) and isinstance(
            s.target, gast.Name) and getattr(s.value, OUTER, False)):
        return None
    v = s.value
    if isinstance(v, gast.BinOp) and isinstance(v.op, gast.Mult) and isinstance(
            v.left, gast.Subscript) and isinstance(v.left.value, gast.Name) and isinstance(
            v.right, gast.Name):
        return v.left.value, v.right
    return None


def _gather(loop, array_module, namer):
    found = {}  # target -> [(statement, g, x)]
    for s in loop.body:
        parts = _outer(s)
        if parts is not None:
            found.setdefault(s.target.id, []).append((s, *parts))
    if not found:
        return [], []
    mod = array_module()
    # an appended value must not change before the matrix product reads it
    changed = _mutated_in_place(loop) | {
        n.target.id for n in gast.walk(loop)
        if isinstance(n, gast.AugAssign) and isinstance(n.target, gast.Name)}
    # the loop may only add to a target: no other read, no rebinding
    sums = {id(s.target) for s in gast.walk(loop) if isinstance(s, gast.AugAssign) and
            isinstance(s.op, (gast.Add, gast.Sub)) and isinstance(s.target, gast.Name)}
    before, after = [], []
    for target, outers in found.items():
        if any(v.id in changed for _, g, x in outers for v in (g, x)) or any(
                isinstance(n, gast.Name) and n.id == target and id(n) not in sums
                for n in gast.walk(loop)):
            continue
        left, right = namer.new(f"{target}_left"), namer.new(f"{target}_right")
        for s, g, x in outers:
            k = loop.body.index(s)
            loop.body[k:k + 1] = [_append(left, g), _append(right, x)]
        before += [assign(left, gast.List(elts=[], ctx=gast.Load())),
                   assign(right, gast.List(elts=[], ctx=gast.Load()))]
        total = gast.BinOp(
            left=gast.Attribute(value=_call(mod, "stack", left), attr="T", ctx=gast.Load()),
            op=gast.MatMult(), right=_call(mod, "stack", right))
        after.append(gast.If(test=name(left), body=[gast.AugAssign(
            target=name(target, "store"), op=gast.Add(), value=total)], orelse=[]))
    return before, after


def _append(lst, value):
    return gast.Expr(value=gast.Call(
        func=gast.Attribute(value=name(lst), attr="append", ctx=gast.Load()),
        args=[name(value.id)], keywords=[]))


def _call(mod, fn, arg):
    return gast.Call(func=gast.Attribute(value=name(mod), attr=fn, ctx=gast.Load()),
                     args=[name(arg)], keywords=[])
