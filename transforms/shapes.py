"""Which values are known to have the same shape: a flow-sensitive pass.

Requires: a normalized function, the names known to hold Python scalars,
integers and lists (``kinds.py``), and optionally the shapes of the
parameters, written with symbolic sizes (``{"x": ("n0",), "A": ("n0", "n0")}``:
equal names are equal sizes; a literal int is that size).

Guarantees: every assignment ``y = value`` to a name gets ``_sg_shapes``:
a dict from the names it reads to their *shape terms* when the statement
runs, and the term of the value it assigns.  Values with equal terms have
the same shape, so the reverse sweep can leave out ``rt.unbroadcast`` (and
stop recording values kept only for their shape) where an operand's term is
the result's.

A term is a hashable tuple:

- ``("scalar",)``: a Python scalar;
- ``("shape", dims)``: a known shape; a size is an int, a symbol from the
  parameters' shapes, or ``("trim", size, k)``: ``max(0, size - k)``, the
  length of a basic slice ``x[a:b]`` with ``a >= 0`` and ``b < 0`` (or
  absent) and ``k = a - b`` (``u[2:]``, ``u[1:-1]`` and ``u[:-2]`` agree);
- ``("trim", term, k)``: such a slice of a value of unknown shape ``term``;
- ``("tuple", terms)``: a tuple display of values of known shapes (what
  ``np.concatenate`` joins; its result's length is followed when all but one
  of the lengths are numbers: ``x[:1]``, ``x[-1:]`` have length 1);
- otherwise an opaque token: "the value statement ``s`` computed", "what
  ``x`` held when loop ``l`` began this iteration", "a parameter's value".

Opaque terms only come from the straight line of statements that leads to
a use, so a token never outlives the execution of the statement that made
it: loops and branches give the names they assign fresh tokens on entry and
exit, unless their shapes are known and the same on every path.
"""

import gast

from .ast_util import stored_names
from .regions import int_const

SCALAR = ("scalar",)
_ZERO_D = ("shape", ())
# operators whose result has the broadcast shape of their two operands
_ELEMENTWISE = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.FloorDiv, gast.Mod, gast.Pow)


class ShapeTerms:
    """Annotates the assignments of ``fn`` with the shape terms of their names.

    ``call_kind(call)`` says what a call does to shapes: ``"broadcast"`` (an
    elementwise primitive of its arguments), ``"same"`` (elementwise of its
    one argument), ``"scalar"`` (returns a Python scalar), or a callable
    mapping the argument terms to the result's term (a user function); None
    when unknown.
    """

    def __init__(self, fn, scalar_names, maybe_lists, int_names=(), param_shapes=None,
                 call_kind=None):
        self.scalars = scalar_names
        self.lists = maybe_lists
        self.ints = int_names
        self.call_kind = call_kind or (lambda call: None)
        param_shapes = param_shapes or {}
        env = {}
        for a in fn.args.args:
            t = param_shapes.get(a.id)
            env[a.id] = t if t is not None else ("param", a.id)
        self.block(fn.body, env)
        ret = fn.body[-1] if fn.body and isinstance(fn.body[-1], gast.Return) else None
        self.result = self.term(ret.value, env) if ret is not None and ret.value is not None \
            else None

    def term(self, node, env):
        if isinstance(node, gast.Constant):
            v = node.value
            return SCALAR if isinstance(v, (int, float)) and not isinstance(v, bool) else None
        if not isinstance(node, gast.Name):
            return None
        if node.id in self.lists:  # only a tuple display's elements are followed
            t = env.get(node.id)
            return t if t is not None and t[0] == "tuple" else None
        if node.id in self.scalars:
            return SCALAR
        return env.get(node.id)

    def value_term(self, v, env):
        if isinstance(v, (gast.Name, gast.Constant)):
            return self.term(v, env)
        if isinstance(v, gast.BinOp) and isinstance(v.op, _ELEMENTWISE):
            return broadcast([self.term(v.left, env), self.term(v.right, env)])
        if isinstance(v, gast.Compare) and len(v.ops) == 1 and not isinstance(
                v.ops[0], (gast.Is, gast.IsNot, gast.In, gast.NotIn)):
            return broadcast([self.term(v.left, env), self.term(v.comparators[0], env)])
        if isinstance(v, gast.BinOp) and isinstance(v.op, gast.MatMult):
            return _matmul(self.term(v.left, env), self.term(v.right, env))
        if isinstance(v, gast.UnaryOp) and isinstance(v.op, (gast.USub, gast.UAdd)):
            return self.term(v.operand, env)
        if isinstance(v, gast.Subscript):
            return self.subscript(self.term(v.value, env), v.slice)
        if isinstance(v, gast.Tuple) and all(isinstance(e, gast.Name) for e in v.elts):
            terms = tuple(self.term(e, env) for e in v.elts)
            return ("tuple", terms) if all(_known(t) for t in terms) else None
        if isinstance(v, gast.Attribute) and v.attr == "T":
            t = self.term(v.value, env)
            return ("shape", t[1][::-1]) if t and t[0] == "shape" else None
        if isinstance(v, gast.Call) and not v.keywords and all(
                isinstance(a, (gast.Name, gast.Constant)) for a in v.args):
            kind = self.call_kind(v)
            terms = [self.term(a, env) for a in v.args]
            if kind == "broadcast":
                return broadcast(terms)
            if kind == "same" and len(terms) == 1:
                return terms[0]
            if kind == "scalar":
                return SCALAR
            if kind == "concatenate" and len(terms) == 1:
                return _concatenate(terms[0])
            if callable(kind):
                return kind(terms)
        return None

    def subscript(self, base, idx):
        if base is None or base == SCALAR:
            return None
        if isinstance(idx, gast.Name) and idx.id in self.ints or isinstance(
                idx, gast.Constant) and type(idx.value) is int:
            return ("shape", base[1][1:]) if base[0] == "shape" and base[1] else None
        k = _trim(idx)
        if k is None:
            end = _end(idx)
            if base[0] == "shape" and base[1] and end is not None:
                size = _head_size(base[1][0], end)
                if size is not None:
                    return ("shape", (size,) + base[1][1:])
            return None
        if base[0] == "shape":
            if not base[1]:
                return None
            return ("shape", (_trim_size(base[1][0], k),) + base[1][1:])
        if base[0] == "trim":  # x[a:b][c:d] trims both amounts from the same axis
            return ("trim", base[1], base[2] + k)
        return ("trim", base, k)

    def block(self, stmts, env):
        for s in stmts:
            self.stmt(s, env)

    def stmt(self, s, env):
        if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name):
            y = s.targets[0].id
            reads = {n.id: self.term(n, env) for n in gast.walk(s.value)
                     if isinstance(n, gast.Name)}
            t = self.value_term(s.value, env)
            if t is None:
                t = ("value", id(s))
            s._sg_shapes = (reads, t)
            env[y] = t
            return
        if isinstance(s, gast.If):
            a, b = dict(env), dict(env)
            self.block(s.body, a)
            self.block(s.orelse, b)
            for v in _changed(s):
                env[v] = a.get(v) if a.get(v) == b.get(v) and _known(a.get(v)) else \
                    ("after", id(s), v)
            return
        if isinstance(s, (gast.For, gast.While)):
            changed = _changed(s)
            # Optimistically, a name keeps the known shape it enters with; a
            # name whose shape the body changes is opaque in every iteration.
            steady = {v for v in changed if _known(env.get(v))}
            if isinstance(s, gast.For):
                steady.discard(s.target.id)
            for _ in range(2 * len(steady) + 1):
                inner = dict(env)
                for v in changed - steady:
                    inner[v] = ("entry", id(s), v)
                self.block(s.body, inner)
                # a Python number the body turns into a 0-d numpy value (x0 + np.exp(a))
                # has shape () all along
                zero_d = {v for v in steady if env.get(v) == SCALAR and inner.get(v) == _ZERO_D}
                for v in zero_d:
                    env[v] = _ZERO_D
                kept = {v for v in steady if inner.get(v) == env.get(v)}
                if kept == steady and not zero_d:
                    break
                steady = kept
            for v in changed - steady:
                env[v] = ("after", id(s), v)
            return
        # tuple unpacking, calls for their effect, nested definitions: what
        # they bind or may change gets a token of its own
        for v in _changed(s):
            env[v] = ("value", id(s), v)


def _concatenate(parts):
    """The term of ``np.concatenate(parts)`` (along the first axis), or None."""
    if not (parts and parts[0] == "tuple" and parts[1] and all(
            t[0] == "shape" and t[1] for t in parts[1])):
        return None
    rest = parts[1][0][1][1:]
    if any(t[1][1:] != rest for t in parts[1]):
        return None
    sizes = [t[1][0] for t in parts[1]]
    known = sum(n for n in sizes if isinstance(n, int))
    other = [n for n in sizes if not isinstance(n, int)]
    if not other:
        return ("shape", (known,) + rest)
    if len(other) != 1:
        return None
    n = other[0]
    if known == 0:
        return ("shape", (n,) + rest)
    if isinstance(n, tuple) and n[0] == "trim" and isinstance(n[1], str) and n[2] == known:
        return ("shape", (n[1],) + rest)  # a symbolic size is at least 2: no clipping
    return None


def _known(t):
    return t is not None and (t == SCALAR or t[0] == "shape")


def broadcast(terms):
    """The term of an elementwise result of operands with ``terms``, or None."""
    known = [t for t in terms if t != SCALAR]
    if any(t is None for t in known):
        return None
    if not known:
        return SCALAR
    if all(t == known[0] for t in known):
        return known[0]
    if not all(t[0] == "shape" for t in known):
        return None
    dims = known[0][1]
    for t in known[1:]:
        dims = _broadcast_dims(dims, t[1])
        if dims is None:
            return None
    return ("shape", dims)


def _broadcast_dims(a, b):
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + tuple(a)
    b = (1,) * (n - len(b)) + tuple(b)
    out = []
    for x, y in zip(a, b):
        if x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        else:
            return None  # sizes that may or may not agree at run time
    return tuple(out)


def _matmul(a, b):
    if not (a and b and a[0] == "shape" and b[0] == "shape"):
        return None
    a, b = a[1], b[1]
    if len(a) == 2 and len(b) == 1:
        return ("shape", a[:1])
    if len(a) == 1 and len(b) == 2:
        return ("shape", b[1:])
    if len(a) == 2 and len(b) == 2:
        return ("shape", (a[0], b[1]))
    return None  # vectors give numpy scalars, stacks broadcast: not tracked


def _trim_size(size, k):
    if isinstance(size, int):
        return max(0, size - k)
    if isinstance(size, tuple) and size[0] == "trim":
        return ("trim", size[1], size[2] + k)
    return ("trim", size, k)


def _changed(s):
    """Names a statement may rebind or resize: its stores, and receivers of method calls."""
    out = set(stored_names(s))
    for n in gast.walk(s):
        if isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute) and \
                isinstance(n.func.value, gast.Name):
            out.add(n.func.value.id)
    return out


def _trim(idx):
    """``a - b`` for a slice ``a:b`` with ``a >= 0`` (or absent) and ``b < 0`` (or absent)."""
    if not isinstance(idx, gast.Slice) or idx.step is not None:
        return None
    lo = _int(idx.lower, 0)
    hi = _int(idx.upper, 0)
    if lo is None or hi is None or lo < 0 or hi > 0 or (idx.upper is not None and hi == 0):
        return None
    return lo - hi


def _end(idx):
    """``k`` for the slices ``x[:k]`` and ``x[-k:]`` (``k > 0``): the first or last ``k``."""
    if not isinstance(idx, gast.Slice) or idx.step is not None:
        return None
    lo, hi = _int(idx.lower, 0), _int(idx.upper, None)
    if lo == 0 and hi is not None and hi > 0:
        return hi
    if lo is not None and lo < 0 and idx.upper is None:
        return -lo
    return None


def _head_size(size, k):
    """``min(k, size)`` when it is a number: symbolic sizes are at least 2."""
    if isinstance(size, int):
        return min(k, size)
    if isinstance(size, str) and k <= 2:
        return k
    return None


def _int(node, absent):
    return absent if node is None else int_const(node)


def callee_terms(terms):
    """The terms of a callee's parameters, given its arguments' terms in the caller.

    Known shapes pass as they are; opaque terms become ``("arg", i)``, equal
    ones alike (so the callee still knows which arguments have equal shapes).
    The result is a tuple, usable as part of a cache key.
    """
    out = []
    seen = {}
    for t in terms:
        if t is None or _known(t):
            out.append(t)
        else:
            out.append(seen.setdefault(t, ("arg", len(seen))))
    return tuple(out)


def caller_term(result, terms):
    """The caller's term of a callee's result ``result`` (see :func:`callee_terms`)."""
    if result is None or _known(result):
        return result
    if result[0] == "arg":
        mapped = callee_terms(terms)
        for t, m in zip(terms, mapped):
            if m == result:
                return t
    return None
