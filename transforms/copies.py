"""Copy propagation and negation folding in the reverse sweep.

The adjoint rules give every cotangent a name, so the reverse sweep of
``y = a - b`` holds plain copies (``da = dy``) and negations (``db = -dy``)
that only pass a value on.  This pass substitutes them into their uses and
folds the negations into the arithmetic around them:

>>> import gast
>>> from srcgrad.transforms.ast_util import unparse
>>> code = gast.parse("da = dy\\ndb = -dy\\ndx += da * 2.0\\ndw += db * x").body
>>> print(unparse(propagate_copies(code, keep=set())))
dx += dy * 2.0
dw -= dy * x

Requires: the final reverse sweep, and the names read after it (``keep``).
A copy ``t = e`` (``e`` a name, or its negation) goes when ``t`` is bound
nowhere else, every read of ``t`` follows it in the same block, and ``e`` is
not changed before the last of them; a negation only where it folds away,
or has a single use.
"""

import collections

import gast

from .ast_util import deepcopy, unparse
from .inline import _Substitute
from .placeholders import is_comment

_MUTATORS = frozenset({"add_at", "take_grad", "append", "pop"})


def _loads(node):
    return [n.id for n in gast.walk(node) if isinstance(n, gast.Name)
            and isinstance(n.ctx, gast.Load)]


def _stores(stmt):
    """Names a statement rebinds or changes in place."""
    out = collections.Counter()
    for n in gast.walk(stmt):
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store):
            out[n.id] += 1
        elif isinstance(n, gast.Subscript) and isinstance(n.ctx, gast.Store) and isinstance(
                n.value, gast.Name):
            out[n.value.id] += 1
        elif isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute) and \
                n.func.attr in _MUTATORS:
            target = n.func.value if n.func.attr in ("append", "pop") else (
                n.args[0] if n.args else None)
            if isinstance(target, gast.Name):
                out[target.id] += 1
    return out


def _neg(node):
    return isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub)


def _number(node):
    return isinstance(node, gast.Constant) and type(node.value) in (int, float)


class _Fold(gast.NodeTransformer):
    """Move negations outwards and into subtractions: ``-a * 2.0`` is ``a * -2.0``."""

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if _neg(node) and _neg(node.operand):
            return node.operand.operand
        if _neg(node) and _number(node.operand):
            return gast.Constant(value=-node.operand.value, kind=None)
        return node

    def visit_BinOp(self, node):
        self.generic_visit(node)
        left, right = node.left, node.right
        if isinstance(node.op, (gast.Mult, gast.Div)):
            if _neg(left) and _number(right):
                node.left, node.right = left.operand, gast.Constant(value=-right.value,
                                                                    kind=None)
                return node
            if _number(left) and _neg(right) and isinstance(node.op, gast.Mult):
                node.left, node.right = gast.Constant(value=-left.value, kind=None), \
                    right.operand
                return node
            if _neg(left) != _neg(right):
                inner = gast.BinOp(left=left.operand if _neg(left) else left, op=node.op,
                                   right=right.operand if _neg(right) else right)
                return gast.UnaryOp(op=gast.USub(), operand=inner)
            if _neg(left) and _neg(right):
                node.left, node.right = left.operand, right.operand
                return node
        if isinstance(node.op, (gast.Add, gast.Sub)) and _neg(right):
            node.op = gast.Sub() if isinstance(node.op, gast.Add) else gast.Add()
            node.right = right.operand
        return node

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        if isinstance(node.op, (gast.Add, gast.Sub)) and _neg(node.value):
            node.op = gast.Sub() if isinstance(node.op, gast.Add) else gast.Add()
            node.value = node.value.operand
        return node


def propagate_copies(stmts, keep):
    module = gast.Module(body=stmts, type_ignores=[])
    loads = collections.Counter(_loads(module))
    stores = collections.Counter()
    for s in stmts:
        stores.update(_stores(s))
    return _block(list(stmts), set(keep), loads, stores)


def _negations(stmts, base):
    return sum(1 for s in stmts for n in gast.walk(s) if _neg(n) and isinstance(
        n.operand, gast.Name) and n.operand.id == base)


def _common(stmts, loads, stores):
    """``b = x * 2.0`` after ``a = x * 2.0`` (nothing changed between): ``b = a``."""
    found = False
    seen = {}  # expression text -> (name holding it, names it reads)
    for s in stmts:
        if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and isinstance(
                s.value, (gast.BinOp, gast.UnaryOp)) and all(
                isinstance(n, (gast.Name, gast.Constant, gast.operator, gast.unaryop,
                               gast.Load)) or n is s.value for n in gast.walk(s.value)):
            text = unparse(s.value)
            if text in seen:
                for n in _loads(s.value):
                    loads[n] -= 1
                loads[seen[text][0]] += 1
                s.value = gast.Name(id=seen[text][0], ctx=gast.Load(), annotation=None,
                                    type_comment=None)
                found = True
            elif s.targets[0].id not in _loads(s.value):
                # (after ``dh = dh * 0.5``, ``dh * 0.5`` is not ``dh``)
                seen[text] = (s.targets[0].id, set(_loads(s.value)))
        changed = set(_stores(s))
        for text in [t for t, (v, reads) in seen.items() if v in changed or reads & changed]:
            if not (isinstance(s, gast.Assign) and seen[text][0] == getattr(
                    s.targets[0], "id", None) and unparse(s.value) == text):
                del seen[text]
    return found


def _elements(stmts, keep, loads, stores):
    """``t = [a[:1], a[1:]]`` read only as ``t[0]``, ``t[1]``: the elements themselves."""
    i = 0
    while i < len(stmts):
        s = stmts[i]
        if not (isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and
                isinstance(s.value, (gast.List, gast.Tuple)) and s.targets[0].id not in keep
                and stores[s.targets[0].id] == 1):
            i += 1
            continue
        var, elts = s.targets[0].id, s.value.elts
        uses = [j for j in range(i + 1, len(stmts)) if var in _loads(stmts[j])]
        reads = set(_loads(s.value))
        subs = [n for j in uses for n in gast.walk(stmts[j]) if isinstance(n, gast.Subscript)
                and isinstance(n.value, gast.Name) and n.value.id == var]
        ok = uses and len(subs) == loads[var] and all(
            isinstance(n.slice, gast.Constant) and type(n.slice.value) is int and
            -len(elts) <= n.slice.value < len(elts) for n in subs) and not any(
            reads & set(_stores(t)) for t in stmts[i + 1:uses[-1]])
        if not ok:
            i += 1
            continue
        for j in uses:
            stmts[j] = _Elements(var, elts).visit(stmts[j])
        for n in reads:
            loads[n] += 1
        del stmts[i]


class _Elements(gast.NodeTransformer):
    def __init__(self, var, elts):
        self.var, self.elts = var, elts

    def visit_Subscript(self, node):
        self.generic_visit(node)
        if isinstance(node.value, gast.Name) and node.value.id == self.var:
            return deepcopy(self.elts[node.slice.value])
        return node


def _block(stmts, keep, loads, stores):
    for s in stmts:
        for field in ("body", "orelse"):
            if isinstance(s, (gast.If, gast.For, gast.While)):
                setattr(s, field, _block(getattr(s, field), keep, loads, stores))
    _elements(stmts, keep, loads, stores)
    _propagate(stmts, keep, loads, stores)
    if _common(stmts, loads, stores):
        _propagate(stmts, keep, loads, stores)
    # a quoted statement whose adjoint was only copies quotes nothing now
    return [s for k, s in enumerate(stmts) if not is_comment(s) or (
        k + 1 < len(stmts) and not is_comment(stmts[k + 1]))]


def _propagate(stmts, keep, loads, stores):
    i = 0
    while i < len(stmts):
        s = stmts[i]
        if not (isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)):
            i += 1
            continue
        var, value = s.targets[0].id, s.value
        negated = _neg(value) and isinstance(value.operand, gast.Name)
        if var in keep or stores[var] != 1 or not (isinstance(value, gast.Name) or negated):
            i += 1
            continue
        base = value.operand.id if negated else value.id
        uses = [j for j in range(i + 1, len(stmts)) if var in _loads(stmts[j])]
        seen = sum(_loads(stmts[j]).count(var) for j in uses)
        if not uses or seen != loads[var] or base == var:
            i += 1
            continue
        last = uses[-1]
        between = stmts[i + 1:last]
        if any(base in _stores(t) for t in between) or (
                base in _stores(stmts[last]) and not isinstance(
                    stmts[last], (gast.Assign, gast.AugAssign, gast.Expr))):
            i += 1
            continue
        new = [_Fold().visit(_Substitute(var, value).visit(deepcopy(t)))
               for t in stmts[i + 1:last + 1]]
        if negated and seen > 1 and _negations(new, base) > _negations(
                stmts[i + 1:last + 1], base):
            i += 1  # the negation would be computed more than once
            continue
        stmts[i + 1:last + 1] = new
        loads[base] += seen - 1
        del stmts[i]
