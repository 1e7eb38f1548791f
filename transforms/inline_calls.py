"""Put the body of a small helper function in place of a call to it inside a loop.

A call to a user function is differentiated as a call pair: ``g_fwd``
returns the value and a tuple of saved values, ``g_bwd`` takes them back.
For a helper of a few lines called in every step of a loop, such as the
right-hand side of an ODE::

    def lotka_volterra(x, r, A):
        return x * (r + A @ x)

those two calls, with their tuples, cost more than the arithmetic, and they
hide it from the passes that work on the loop (the sums into ``dA`` can only
be gathered once they are in the loop).  This pass writes the helper's
statements in place of the call, its parameters replaced by the arguments
and its local names made fresh, under the comment of the calling line.  A
call outside loops runs once: it stays a call pair, which reads as the
gradient of the helper on its own.

A call ``y = g(a, b)`` (a statement of a loop body in the normalized
caller) is inlined when

- ``g`` is a Python function of the caller's own module (same globals, no
  closure), called with positional arguments only, one per parameter;
- its normalized body is at most ``LONGEST`` assignments to names of
  arithmetic, calls, attributes, subscripts or comparisons, then ``return``
  of a name or a constant: no branch, loop, tuple, list, write into an
  array, hook or nested function;
- it rebinds none of its parameters, and every call in it is to a primitive
  with a derivative rule (not to another user function);
- none of the global names it reads is a local name of the caller.

The helper's globals become names of the caller (reserved there, provided and
read again at each call by the generated module: ``Program._provides``), its
locals get names that are neither the caller's nor the module's globals, a
``grad_of`` block on the call's result moves to the statement binding it, and
the statements written in place take the call's position (for errors).

Requires: a normalized function and its context (``reverse.Context``), and
``normalize`` to normalize the callee.
"""

import gast

from . import calls as C
from .ast_util import deepcopy, name, stored_names
from .diagnostics import TransformError
from .normalize import OPAQUE, ORIGIN

LONGEST = 8
# the values an inlined statement may compute: no tuple or list displays (a
# helper returning a pair stays a call, as does anything a caller checks)
_VALUES = (gast.BinOp, gast.UnaryOp, gast.Call, gast.Name, gast.Constant, gast.Attribute,
           gast.Subscript, gast.Compare)


def inline_small_calls(fn, ctx, normalize, context):
    """Rewrite the loops of ``fn``'s body in place; ``context(callee, info, resolver)``
    makes a callee's context, to resolve the calls inside it."""
    normalized = {}  # a helper called several times is normalized once

    def callee_of(res):
        if res.key not in normalized:
            try:
                normalized[res.key] = normalize(res.fndef, res.info)
            except TransformError:
                normalized[res.key] = None  # reported where the call is differentiated
        return normalized[res.key]

    fn.body = _block(fn.body, fn, ctx, callee_of, context, in_loop=False)


def _block(stmts, fn, ctx, callee_of, context, in_loop):
    out = []
    for s in stmts:
        if isinstance(s, (gast.If, gast.For, gast.While)):
            inner = in_loop or not isinstance(s, gast.If)
            s.body = _block(s.body, fn, ctx, callee_of, context, inner)
            s.orelse = _block(s.orelse, fn, ctx, callee_of, context, in_loop)
        new = _inline(s, fn, ctx, callee_of, context) if in_loop else None
        out.extend([s] if new is None else new)
    return out


def _same_scope(a, b):
    """Do names read in the two resolvers' functions mean the same?"""
    if hasattr(a, "module") or hasattr(b, "module"):  # functions read from files
        return getattr(a, "module", None) is getattr(b, "module", None)
    return a.globals is b.globals and not a.closure and not b.closure


def _inline(s, fn, ctx, callee_of, context):
    if not (isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(
            s.targets[0], gast.Name) and isinstance(s.value, gast.Call)) or getattr(
            s, OPAQUE, False):
        return None
    call = s.value
    if call.keywords or any(isinstance(a, gast.Starred) for a in call.args):
        return None
    try:
        res, _ = C.call_target(call, ctx)
    except TransformError:
        return None  # reported where the call is differentiated
    if not isinstance(res, C.UserFunction) or res.extra_args or not _same_scope(
            res.resolver, ctx.resolver):
        return None
    args = res.fndef.args
    if args.vararg or args.kwarg or args.kwonlyargs or len(args.args) != len(call.args):
        return None
    callee = callee_of(res)
    if callee is None:
        return None
    body, ret = callee.body[:-1], callee.body[-1]
    if callee.lifted or getattr(callee, "_sg_hooks", None) or len(body) > LONGEST or not (
            isinstance(ret, gast.Return) and isinstance(ret.value, (gast.Name, gast.Constant))):
        return None
    params = [a.id for a in callee.args.args]
    callee_ctx = context(callee, res.info, res.resolver)
    for st in body:
        if not (isinstance(st, gast.Assign) and len(st.targets) == 1 and isinstance(
                st.targets[0], gast.Name) and isinstance(st.value, _VALUES)) or getattr(
                st, OPAQUE, False) or st.targets[0].id in params:
            return None
        for n in gast.walk(st.value):
            if isinstance(n, (gast.Tuple, gast.List, gast.Lambda, gast.Starred)):
                return None
            if isinstance(n, gast.Call):
                try:
                    r, _ = C.call_target(n, callee_ctx)
                except TransformError:
                    return None
                if not isinstance(r, C.Primitive):
                    return None
    local = set(callee_ctx.locals)
    free = {n.id for st in callee.body for n in gast.walk(st)
            if isinstance(n, gast.Name) and n.id not in local}
    if free & ctx.locals:
        return None
    if not all(_is_global(ctx.resolver, v) for v in free):
        return None  # the caller's module must provide them now (and import them)
    for v in free:  # the caller reads them now: no name made for it may take theirs
        fn.namer.reserve(v)
    # parameters become the arguments (atoms); locals get fresh names, and the
    # value returned, when the last statement binds it, is bound to the target
    target = s.targets[0].id
    last = body[-1].targets[0].id if body else None
    returned = ret.value.id if isinstance(ret.value, gast.Name) else None
    direct = returned is not None and returned == last and returned not in params and sum(
        returned in stored_names(st) for st in body) == 1
    renamed = {}
    for v in sorted(set(stored_names(gast.Module(body=body, type_ignores=[])))):
        if direct and v == returned:
            renamed[v] = target
            continue
        renamed[v] = fn.namer.new(v)
        while _is_global(ctx.resolver, renamed[v]):  # a derivative template may read it
            renamed[v] = fn.namer.new(v)
    substitute = _Substitute(dict(zip(params, call.args)), renamed)
    new = [substitute.visit(_located_at(deepcopy(st), call)) for st in body]
    if not direct:
        new.append(gast.Assign(targets=[name(target, "store")],
                               value=substitute.visit(_located_at(deepcopy(ret.value), call)),
                               type_comment=None))
    for st in new:
        setattr(st, ORIGIN, getattr(s, ORIGIN, None))
    if getattr(s, "_sg_hooks", None):  # a grad_of(target) block after the call
        new[-1]._sg_hooks = s._sg_hooks  # the statement that binds the target
    # its globals are the caller's now: the generated module reads them (again at each call)
    fn.__dict__.setdefault("_sg_inlined", []).append((res.resolver, res.fndef))
    added = {v for v in renamed.values() if v != target}
    fn.locals |= added
    ctx.locals |= added
    return new


def _is_global(resolver, v):
    try:
        resolver.lookup(v)
    except KeyError:
        return False
    return True


def _located_at(st, call):
    """``st`` with the position of ``call``: the helper's own positions are lines of its
    source, which an error about the caller would report as lines of the caller's."""
    for n in gast.walk(st):
        for attr in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
            if hasattr(n, attr):
                setattr(n, attr, getattr(call, attr, None))
    return st


class _Substitute(gast.NodeTransformer):
    def __init__(self, args, renamed):
        self.args, self.renamed = args, renamed

    def visit_Name(self, node):
        if isinstance(node.ctx, gast.Load) and node.id in self.args:
            return deepcopy(self.args[node.id])
        if node.id in self.renamed:
            return name(self.renamed[node.id], "store" if isinstance(node.ctx, gast.Store)
                        else "load")
        return node
