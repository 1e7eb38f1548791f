"""Merge accumulations into one adjoint that share a factor.

The adjoint rules contribute to a cotangent one term at a time, so the
reverse sweep of ``x = x + h * (a * sin(x) - b * x)`` adds ``-t * b`` and
then ``t * a * cos(x)`` to ``dx`` (``t`` the cotangent of the bracket).  A
person writes ``dx += t * (a * cos(x) - b)``: one product fewer, and one
update of ``dx`` instead of two.  This pass does that:

>>> import gast
>>> from srcgrad.transforms.ast_util import unparse
>>> code = gast.parse("dx = dx - t * b\\nda += t * s\\ndc = t * a\\ndx += dc * math.cos(x)")
>>> print(unparse(factor_accumulations(code.body, keep=set())))
da += t * s
dx = dx + t * (a * math.cos(x) - b)

Two accumulations ``T += e1`` ... ``T += e2`` (or ``-=``, or ``v = v + e``)
into the same target merge where

- ``e1`` and ``e2`` are products (``*`` only, so the factors commute, arrays
  included) with a factor in common; a factor that is a cotangent made by a
  product earlier in the block (``dc = t * a``) counts as its factors;
- one of the two rests is surely a number, not a bool (numpy adds two bool
  arrays as ``or``: ``t * m1 + t * m2`` is not ``t * (m1 + m2)``);
- nothing between them reads the target, except other ``+=`` into parts of
  it (sums commute), and nothing between them rebinds a name of ``e1``.

The merged statement takes the place of the second; where the first rebinds
(``v = v - e1``: ``v`` may share memory), so does the merged one, and then
nothing may touch ``v`` in between.  A cotangent substituted this way is
dropped once nothing reads it.

Requires: the final reverse sweep, and the names read after it (``keep``).
"""

import collections

import gast

from .ast_util import assign, const, deepcopy, unparse
from .copies import _loads, _stores
from .placeholders import is_comment
from .regions import disjoint, region


def factor_accumulations(stmts, keep):
    module = gast.Module(body=stmts, type_ignores=[])
    # ``v += e`` reads ``v`` too
    loads = collections.Counter(_loads(module) + [
        n.target.id for n in gast.walk(module)
        if isinstance(n, gast.AugAssign) and isinstance(n.target, gast.Name)])
    return _block(stmts, set(keep), loads)


def _block(stmts, keep, loads):
    for s in stmts:
        for field in ("body", "orelse"):
            if isinstance(s, (gast.If, gast.For, gast.While)):
                setattr(s, field, _block(getattr(s, field), keep, loads))
    stmts = list(stmts)
    i = 0
    while i < len(stmts):
        # a merge may drop statements before i: look again from the start
        i = 0 if _merge_from(stmts, i, keep, loads) else i + 1
    for i in range(len(stmts)):
        _assign_fresh(stmts, i)
    return stmts


def _is_zeros(s, base):
    """Is ``s`` ``base = rt.zeros_like(...)`` (or another fresh zero array)?"""
    return isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(
        s.targets[0], gast.Name) and s.targets[0].id == base and isinstance(
        s.value, gast.Call) and isinstance(s.value.func, gast.Attribute) and \
        s.value.func.attr in ("zeros_like", "zeros")


def _assign_fresh(stmts, i):
    """Move ``v[r] += e`` up to where ``v`` is made of zeros, as ``v[r] = e``.

    It may pass other ``+=`` into ``v`` (sums commute) and assignments into
    parts of ``v`` that never overlap ``r``; nothing else that reads ``v`` or
    changes a name of ``e``.
    """
    s = stmts[i]
    if not (isinstance(s, gast.AugAssign) and isinstance(s.op, gast.Add) and isinstance(
            s.target, gast.Subscript) and isinstance(s.target.value, gast.Name)):
        return
    base = s.target.value.id
    where = region(s.target.slice)
    if where is None or base in _loads(s.value) or _stores(s.value):
        return  # (a value that writes into an array, ``rt.take_grad``, stays in place)
    names = set(_loads(s.value)) | set(_loads(s.target.slice))
    for k in range(i - 1, -1, -1):
        t = stmts[k]
        if is_comment(t):
            continue
        if _is_zeros(t, base):
            del stmts[i]
            stmts.insert(k + 1, assign(s.target, s.value))
            return
        if names & set(_stores(t)):
            return
        if base not in _loads(t) and base not in _stores(t):
            continue
        if isinstance(t, gast.AugAssign) and isinstance(t.op, (gast.Add, gast.Sub)) and \
                isinstance(t.target, gast.Subscript) and isinstance(t.target.value, gast.Name) \
                and t.target.value.id == base and base not in _loads(t.value):
            continue  # another accumulation: the order of a sum does not matter
        if isinstance(t, gast.Assign) and len(t.targets) == 1 and isinstance(
                t.targets[0], gast.Subscript) and isinstance(t.targets[0].value, gast.Name) \
                and t.targets[0].value.id == base and base not in _loads(t.value):
            other = region(t.targets[0].slice)
            if other is not None and disjoint(where, other, ("at least", 0)):
                continue
        return


def _accumulation(s):
    """(target, base name, sign, term, rebinds) for ``T += e``, ``T -= e``, ``v = v +- e``."""
    if isinstance(s, gast.AugAssign) and isinstance(s.op, (gast.Add, gast.Sub)):
        target = s.target
        sign, term, rebinds = (1 if isinstance(s.op, gast.Add) else -1), s.value, False
    elif isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(
            s.targets[0], gast.Name) and isinstance(s.value, gast.BinOp) and isinstance(
            s.value.op, (gast.Add, gast.Sub)) and isinstance(s.value.left, gast.Name) and \
            s.value.left.id == s.targets[0].id:
        target = s.targets[0]
        sign = 1 if isinstance(s.value.op, gast.Add) else -1
        term, rebinds = s.value.right, True
    else:
        return None
    base = target
    while isinstance(base, gast.Subscript):
        base = base.value
    if not isinstance(base, gast.Name) or base.id in _loads(term):
        return None
    return target, base.id, sign, term, rebinds


def _factors(node):
    """(sign, factors) of a product ``a * -b * c``."""
    if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Mult):
        sl, fl = _factors(node.left)
        sr, fr = _factors(node.right)
        return sl * sr, fl + fr
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        s, f = _factors(node.operand)
        return -s, f
    if isinstance(node, gast.Constant) and type(node.value) in (int, float) and node.value < 0:
        return -1, [const(-node.value)]
    return 1, [node]


def _product(factors):
    if not factors:
        return const(1.0)
    out = deepcopy(factors[0])
    for f in factors[1:]:
        out = gast.BinOp(left=out, op=gast.Mult(), right=deepcopy(f))
    return out


def _sum(terms):
    """``p1 + p2 - p3`` from ``[(sign, factors)]``, a positive term first where there is one."""
    terms = sorted(terms, key=lambda t: t[0] < 0)
    sign0, f0 = terms[0]
    out = _product(f0)
    if sign0 < 0:
        out = gast.UnaryOp(op=gast.USub(), operand=out)
    for sign, f in terms[1:]:
        out = gast.BinOp(left=out, op=gast.Add() if sign > 0 else gast.Sub(), right=_product(f))
    return out


def _definitions(stmts, upto):
    """``{name: (index, value)}`` for the products bound once before ``upto``."""
    out = {}
    counts = collections.Counter()
    for k, s in enumerate(stmts[:upto]):
        for n in _stores(s):
            counts[n] += 1
        if isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(
                s.targets[0], gast.Name) and isinstance(s.value, gast.BinOp) and isinstance(
                s.value.op, gast.Mult):
            if not _stores(s.value):
                out[s.targets[0].id] = (k, s.value)
    return {n: d for n, d in out.items() if counts[n] == 1}


def _options(sign, factors, defs, stmts, at, depth=2):
    """The ways to write a product, substituting up to ``depth`` products bound earlier in
    the block (and unchanged up to ``at``): ``[(substitutions, sign, factors, names)]``."""
    out = [(0, sign, factors, [])]
    frontier = [(sign, factors, [])]
    for level in range(1, depth + 1):
        grown = []
        for sg, fs, used in frontier:
            for k, f in enumerate(fs):
                d = defs.get(f.id) if isinstance(f, gast.Name) else None
                if d is None or any(set(_loads(d[1])) & set(_stores(s))
                                    for s in stmts[d[0] + 1:at]):
                    continue
                s2, inner = _factors(d[1])
                grown.append((sg * s2, fs[:k] + inner + fs[k + 1:], used + [f.id]))
        out += [(level, *g) for g in grown]
        frontier = grown
    return out


# functions whose value is a number, never a bool, whatever their arguments
_NUMERIC_CALLS = frozenset({
    "sin", "cos", "tan", "arcsin", "arccos", "arctan", "asin", "acos", "atan", "sinh", "cosh",
    "tanh", "exp", "expm1", "exp2", "log", "log1p", "log2", "log10", "sqrt", "cbrt", "square",
    "reciprocal", "erf", "erfc", "pow", "power", "hypot", "arctan2", "atan2"})


def _numeric(factors):
    """Is the product of ``factors`` surely a number rather than a bool?

    numpy adds two bool arrays as ``or`` (``m1 + m2`` is not ``m1 * 1 + m2 * 1``),
    so ``t * m1 + t * m2`` may become ``t * (m1 + m2)`` only where one of the two
    is not a bool: an empty product (``1.0``), a number, arithmetic that rejects
    or converts bools, or a function with numbers for values.
    """
    if not factors:
        return True
    for f in factors:
        if isinstance(f, gast.Constant) and type(f.value) in (int, float):
            return True
        if isinstance(f, gast.BinOp) and isinstance(
                f.op, (gast.Sub, gast.Div, gast.FloorDiv, gast.Mod, gast.Pow)):
            return True
        if isinstance(f, gast.UnaryOp) and isinstance(f.op, gast.USub):
            return True
        if isinstance(f, gast.Call) and isinstance(f.func, gast.Attribute) and isinstance(
                f.func.value, gast.Name) and f.func.value.id in ("math", "np", "numpy") and \
                f.func.attr in _NUMERIC_CALLS:
            return True
    return False


def _common(f1, f2):
    texts = [unparse(f) for f in f2]
    for k, f in enumerate(f1):
        text = unparse(f)
        if text in texts and not any(isinstance(n, gast.Call) for n in gast.walk(f)):
            return k, texts.index(text)
    return None


def _merge_from(stmts, i, keep, loads):
    """Merge ``stmts[i]`` into a later accumulation of the same target; True if done."""
    first = _accumulation(stmts[i])
    if first is None:
        return False
    target, base, sign1, term1, rebinds1 = first
    if _stores(term1):
        return False  # it writes into an array (``rt.take_grad``): it stays in place
    key = unparse(target)
    names1 = set(_loads(term1)) | (set(_loads(target)) - {base})
    for j in range(i + 1, len(stmts)):
        s = stmts[j]
        if is_comment(s):
            continue
        acc = _accumulation(s)
        if acc is not None and unparse(acc[0]) == key:
            break
        if base in _loads(s) or base in _stores(s):
            if acc is None or acc[1] != base or rebinds1 or acc[4]:
                return False  # read, or rebound: the first term cannot move past it
        if names1 & set(_stores(s)):
            return False
    else:
        return False
    _, _, sign2, term2, rebinds2 = acc
    # the merged term is computed where the second one was: a substituted
    # product's names must be unchanged up to there
    found = None
    for c1, s1, f1, used1 in _options(*_factors(term1), _definitions(stmts, i), stmts, j):
        for c2, s2, f2, used2 in _options(*_factors(term2), _definitions(stmts, j), stmts, j):
            pair = _common(f1, f2)
            if pair is not None and (found is None or c1 + c2 < found[0]):
                found = (c1 + c2, s1, f1, s2, f2, used1 + used2, pair)
    if found is None:
        return False
    _, s1, f1, s2, f2, used, (k1, k2) = found
    common = f1[k1]
    terms = [(sign1 * s1, f1[:k1] + f1[k1 + 1:]), (sign2 * s2, f2[:k2] + f2[k2 + 1:])]
    if not any(_numeric(t[1]) for t in terms):
        return False  # two masks: their sum would be their ``or``
    sign = 1
    if all(t[0] < 0 for t in terms):  # -(p + q): subtract instead
        sign, terms = -1, [(-t[0], t[1]) for t in terms]
    rest = _sum(terms)
    if isinstance(rest, gast.BinOp) and all(
            isinstance(e, gast.Constant) and type(e.value) in (int, float)
            for e in (rest.left, rest.right)):  # dx += t; dx += t: t * 2.0
        a, b = rest.left.value, rest.right.value
        rest = const(a + b if isinstance(rest.op, gast.Add) else a - b)
    merged = gast.BinOp(left=deepcopy(common), op=gast.Mult(), right=rest)
    op = gast.Add() if sign > 0 else gast.Sub()
    if rebinds1 or rebinds2:
        new = assign(deepcopy(target), gast.BinOp(left=deepcopy(target), op=op, right=merged))
    else:
        new = gast.AugAssign(target=deepcopy(target), op=op, value=merged)
    for n in _loads(term1) + _loads(term2):
        loads[n] -= 1
    for n in _loads(merged):
        loads[n] += 1
    stmts[j] = new
    del stmts[i]
    for n in used:  # a cotangent substituted into its only use goes
        if loads[n] == 0 and n not in keep:
            k = next(k for k, s in enumerate(stmts) if isinstance(s, gast.Assign) and isinstance(
                s.targets[0], gast.Name) and s.targets[0].id == n)
            for m in _loads(stmts[k].value):
                loads[m] -= 1
            del stmts[k]
    return True
