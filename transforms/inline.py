"""Folding single-use temporaries back into the expression that uses them.

A-normal form names every intermediate value so that the reverse sweep can
refer to it.  Intermediates the reverse sweep does not read only make the
forward sweep longer than the user's code; this pass puts them back:

>>> import gast
>>> from srcgrad.transforms.ast_util import unparse
>>> code = gast.parse("a = x * 2\\nb = np.sin(a)\\ny = b + 1").body
>>> print(unparse(inline_temporaries(code, keep={"x", "y"})))
y = np.sin(x * 2) + 1

Requires: the final forward sweep, and the names that must stay (the user's
own variables and every value the reverse sweep reads).
"""

import collections

import gast

from .ast_util import deepcopy

PURE_BUILTINS = frozenset({"len", "float", "int", "abs", "min", "max", "range", "slice",
                           "bool", "round"})


def _loads(node):
    return [n.id for n in gast.walk(node) if isinstance(n, gast.Name)
            and isinstance(n.ctx, gast.Load)]


def _stores(stmt):
    """Names a statement rebinds or mutates (subscript writes, appends)."""
    out = set()
    for n in gast.walk(stmt):
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store):
            out.add(n.id)
        if isinstance(n, gast.Subscript) and isinstance(n.ctx, gast.Store) and isinstance(
                n.value, gast.Name):
            out.add(n.value.id)
        if isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute) and isinstance(
                n.func.value, gast.Name) and n.func.attr in ("append", "pop"):
            out.add(n.func.value.id)
    return out


def _pure(expr, local_names):
    """No call that could have side effects (user functions), so it can move."""
    for n in gast.walk(expr):
        if isinstance(n, gast.Call):
            f = n.func
            if isinstance(f, gast.Name):
                if f.id not in PURE_BUILTINS or f.id in local_names:
                    return False
            elif isinstance(f, gast.Attribute):
                root = f.value
                while isinstance(root, gast.Attribute):
                    root = root.value
                if not isinstance(root, gast.Name):
                    return False
                # module functions (np.tanh) and methods of local arrays (x.sum)
            else:
                return False
    return True


def _barrier(stmt, local_names):
    return not _pure(stmt, local_names)


class _Substitute(gast.NodeTransformer):
    def __init__(self, var, expr):
        self.var, self.expr = var, expr

    def visit_Name(self, node):
        if node.id == self.var and isinstance(node.ctx, gast.Load):
            return deepcopy(self.expr)
        return node


def _use_site(stmt, var):
    """The part of ``stmt`` evaluated first where ``var`` may be substituted, or None."""
    if isinstance(stmt, (gast.Assign, gast.Expr, gast.AugAssign)):
        return stmt
    if isinstance(stmt, gast.If):
        return stmt.test if var in _loads(stmt.test) and var not in _loads(
            gast.Module(body=stmt.body + stmt.orelse, type_ignores=[])) else None
    if isinstance(stmt, gast.For):
        return stmt.iter if var in _loads(stmt.iter) and var not in _loads(
            gast.Module(body=stmt.body, type_ignores=[])) else None
    return None


def inline_temporaries(stmts, keep):
    module = gast.Module(body=stmts, type_ignores=[])
    counts = collections.Counter(_loads(module))
    local_names = {n.id for n in gast.walk(module) if isinstance(n, gast.Name)
                   and isinstance(n.ctx, gast.Store)}
    return _block(stmts, set(keep), counts, local_names)


def _marked(old, new):
    """``new``, keeping the loop ``old`` came from (see ``looptapes.py``)."""
    new._sg_loop_of = getattr(old, "_sg_loop_of", None)
    return new


def _block(stmts, keep, counts, local_names):
    out = []
    for s in stmts:
        if isinstance(s, gast.If):
            s = gast.If(test=s.test, body=_block(s.body, keep, counts, local_names),
                        orelse=_block(s.orelse, keep, counts, local_names))
        elif isinstance(s, gast.For):
            s = _marked(s, gast.For(target=s.target, iter=s.iter,
                                    body=_block(s.body, keep, counts, local_names), orelse=[],
                                    type_comment=None))
        elif isinstance(s, gast.While):
            s = _marked(s, gast.While(test=s.test,
                                      body=_block(s.body, keep, counts, local_names), orelse=[]))
        out.append(s)
    i = 0
    while i < len(out):
        s = out[i]
        if not (isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(
                s.targets[0], gast.Name)):
            i += 1
            continue
        var = s.targets[0].id
        if var in keep or counts[var] != 1 or not _pure(s.value, local_names):
            i += 1
            continue
        reads = set(_loads(s.value))
        for j in range(i + 1, len(out)):
            later = out[j]
            if var in _loads(later):
                site = _use_site(later, var)
                if site is not None:
                    new = _Substitute(var, s.value).visit(site)
                    if site is getattr(later, "test", None):
                        later.test = new
                    elif site is getattr(later, "iter", None):
                        later.iter = new
                    del out[i]
                    i -= 1
                break
            if _stores(later) & (reads | {var}) or _barrier(later, local_names):
                break
        i += 1
    return out
