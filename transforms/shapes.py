"""Which values are known to have the same shape: a flow-sensitive pass.

Requires: a normalized function, the names known to hold Python scalars and
those that may hold lists (``kinds.py``).

Guarantees: every assignment ``y = value`` to a name gets ``_sg_shapes``:
a dict from the names it reads to their *shape terms* when the statement
runs, and the term of the value it assigns.  Values with equal terms have
the same shape, so the reverse sweep can leave out ``rt.unbroadcast`` (and stop
recording values kept only for their shape) where an operand's term is the
result's.

A term is a hashable tuple: ``("scalar",)`` for Python scalars,
``("param", p)`` for a parameter's initial value, ``("trim", t, k)`` for a
basic slice ``x[a:b]`` (``a >= 0``, ``b < 0`` or absent) of a value of term
``t``, which has ``len - k`` rows with ``k = a - b`` whatever the length
(``u[2:]``, ``u[1:-1]`` and ``u[:-2]`` agree), and otherwise an opaque
token for "the value statement ``s`` computed" or "what ``x`` held when
loop ``l`` began this iteration".  Terms only ever come from the straight
line of statements that leads to a use, so a token never outlives the
execution of the statement that made it: loops and branches give the names
they assign fresh tokens on entry and exit.
"""

import gast

from .ast_util import stored_names

SCALAR = ("scalar",)
# operators whose result has the broadcast shape of their two operands
_ELEMENTWISE = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.FloorDiv, gast.Mod, gast.Pow)


class ShapeTerms:
    """Annotates the assignments of ``fn`` with the shape terms of their names."""

    def __init__(self, fn, scalar_names, maybe_lists, broadcasting_call=None):
        self.scalars = scalar_names
        self.lists = maybe_lists
        # ``broadcasting_call(call)``: True when the call is an elementwise
        # primitive whose result has the broadcast shape of all its arguments
        self.broadcasting_call = broadcasting_call or (lambda call: False)
        env = {a.id: ("param", a.id) for a in fn.args.args}
        self.block(fn.body, env)

    def term(self, node, env):
        if isinstance(node, gast.Constant):
            v = node.value
            return SCALAR if isinstance(v, (int, float)) and not isinstance(v, bool) else None
        if not isinstance(node, gast.Name) or node.id in self.lists:
            return None
        if node.id in self.scalars:
            return SCALAR
        return env.get(node.id)

    def broadcast(self, terms):
        """The term of an elementwise result of operands with ``terms``, or None."""
        known = [t for t in terms if t != SCALAR]
        if any(t is None for t in known):
            return None
        if not known:
            return SCALAR
        return known[0] if all(t == known[0] for t in known) else None

    def value_term(self, v, env):
        if isinstance(v, (gast.Name, gast.Constant)):
            return self.term(v, env)
        if isinstance(v, gast.BinOp) and isinstance(v.op, _ELEMENTWISE):
            return self.broadcast([self.term(v.left, env), self.term(v.right, env)])
        if isinstance(v, gast.UnaryOp) and isinstance(v.op, (gast.USub, gast.UAdd)):
            return self.term(v.operand, env)
        if isinstance(v, gast.Subscript):
            base = self.term(v.value, env)
            k = _trim(v.slice)
            if base is not None and base != SCALAR and k is not None:
                if base[0] == "trim":  # x[a:b][c:d] trims both amounts from the same axis
                    return ("trim", base[1], base[2] + k)
                return ("trim", base, k)
            return None
        if isinstance(v, gast.Call) and v.args and not v.keywords and all(
                isinstance(a, (gast.Name, gast.Constant)) for a in v.args) and \
                self.broadcasting_call(v):
            return self.broadcast([self.term(a, env) for a in v.args])
        return None

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
                env[v] = a.get(v) if a.get(v) == b.get(v) else ("after", id(s), v)
            return
        if isinstance(s, (gast.For, gast.While)):
            changed = _changed(s)
            inner = dict(env)
            for v in changed:
                inner[v] = ("entry", id(s), v)
            self.block(s.body, inner)
            for v in changed:
                env[v] = ("after", id(s), v)
            return
        # tuple unpacking, calls for their effect, nested definitions: what
        # they bind or may change gets a token of its own
        for v in _changed(s):
            env[v] = ("value", id(s), v)


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


def _int(node, absent):
    if node is None:
        return absent
    if isinstance(node, gast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and isinstance(
            node.operand, gast.Constant) and type(node.operand.value) is int:
        return -node.operand.value
    return None
