"""Run a reversed loop of Python scalars as array operations when it is a linear recurrence.

The reverse sweep of a scalar loop such as ``x = x + h * (a * sin(x) - b * x)``
walks the loop's saved values backwards, one interpreted step at a time::

    for sin_x, x in zip(reversed(sin_x_tape), reversed(x_tape)):
        t = dx * h
        db -= t * x
        da += t * sin_x
        dx = dx + t * (a * math.cos(x) - b)

Only the cotangent ``dx`` is carried from one step to the next, and each
step multiplies it by a number that depends on the saved values alone:
``dx = dx * (1 + h * (a * cos(x) - b))``.  Its value at every step is then a
cumulative product, and the rest of the body is elementwise arithmetic on
the saved values and those cotangents, summed into ``da`` and ``db``.  This
pass writes the loop that way::

    x = np.array(x_tape, float)[::-1]
    sin_x = np.sin(x)
    dx_factor = 1 + h * (a * np.cos(x) - b)
    dx_steps = np.cumprod(np.append(dx, dx_factor))
    t = dx_steps[:-1] * h
    db -= float(t @ x)
    da += float(t @ sin_x)
    dx = float(dx_steps[-1])

``np.cumprod`` multiplies in the loop's order, starting from ``dx``, one
rounding per step (the loop's ``dx + t * (...)`` rounds a little differently),
so it cannot underflow where the loop would not.  A
saved value that the forward loop computed from other saved values by
elementwise arithmetic (``sin_x = math.sin(x)``) is computed again here from
their arrays, and the forward loop stops saving it: over arrays that costs
less than one ``list.append`` per step.

A reversed loop is rewritten when

- it walks lists of its own (``transforms/looptapes.py``), none of them
  with the loop index, and it is a statement of the function's top level;
- every value saved on those lists is known to be a Python scalar, and so
  is every name the body reads from outside it (``scalar(name)``);
- its body is assignments and ``+=``/``-=`` to names, of arithmetic
  (``+ - * /``, ``**`` with a constant exponent, unary minus), numbers,
  ``math`` functions that numpy has under a name of its own, and
  ``rt.pow_dx`` (elementwise on arrays too);
- at most one name is carried from one step to the next (the recurrence),
  and every statement is linear in it: its value at the start of a step
  times a factor of the saved values (no term without it, no product of two
  such terms, no division by it);
- every other name read before the body binds it only has terms added to
  or taken from it (``da += ...``), each of which varies with the step, or
  is bound once, to a loop variable (``x = x_prev``): at each step it holds
  what the step before restored, at the first step its value before the
  loop (``x = np.append(x, x_prev)[:-1]``);
- nothing after the loop reads a name the body binds, but for the carried
  cotangent and the sums.

Python's ``float`` raises on a division by zero where numpy gives ``inf``
with a warning; the forward sweep already ran the primal operations, so
only a derivative that is infinite at a saved value differs.

Requires: the sweeps after :func:`~transforms.looptapes.split_loop_tapes`.
"""

import gast

from .ast_util import assign, const, deepcopy, name, stored_names
from .looptapes import _is_tape_call
from .placeholders import comment, is_comment

# math functions and numpy's names for the same function of a float
_NUMPY_NAMES = {
    "sin": "sin", "cos": "cos", "tan": "tan", "asin": "arcsin", "acos": "arccos",
    "atan": "arctan", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "asinh": "arcsinh",
    "acosh": "arccosh", "atanh": "arctanh", "exp": "exp", "expm1": "expm1", "log1p": "log1p",
    "log2": "log2", "log10": "log10", "sqrt": "sqrt", "fabs": "abs", "atan2": "arctan2",
    "hypot": "hypot",
}
_ARITY = {"atan2": 2, "hypot": 2}
# runtime helpers that work elementwise on arrays as on numbers
_ELEMENTWISE_RUNTIME = {"pow_dx"}


def vectorize_linear_loops(fwd, rev, lists, scalar, namer, returned=()):
    """Rewrite the qualifying top-level reversed loops of ``rev`` in place.

    ``lists`` are the top-level loops' lists (from ``split_loop_tapes``);
    ``scalar(name)`` says whether a name of the sweeps surely holds a Python
    scalar; ``returned`` are names read after the reverse sweep.  Returns the
    lists the forward sweep no longer makes, each with the name it saved.
    """
    dropped = {}
    r = 0
    while r < len(rev):
        back = rev[r]
        origin = getattr(back, "_sg_loop_of", None)
        loop = next((s for s in fwd if isinstance(s, (gast.For, gast.While)) and
                     getattr(s, "_sg_loop_of", None) is origin), None) \
            if isinstance(back, gast.For) and origin is not None else None
        plan = _plan(loop, back, rev[r + 1:], lists, scalar, set(returned), namer) \
            if loop is not None else None
        if plan is None:
            r += 1
            continue
        recomputed = _recomputable(loop, plan)
        kept = [lst for _, lst in plan.pairs if lst not in recomputed]
        if kept:
            plan.length = _call("len", name(kept[0]))
        code = _emit(plan, recomputed, namer)
        in_loop = {v for st in loop.body for v in stored_names(st)}
        if (set(plan.invariants) | set(plan.shifted)) & in_loop:
            # a value the forward loop binds may be unbound where the loop ran no times
            test = name(kept[0]) if kept else plan.length
            code = [code[0], gast.If(test=test, body=code[1:], orelse=[])]
        rev[r:r + 1] = code
        r += len(code)
        for lst in recomputed:
            dropped[lst] = _appended(loop, lst).id
            loop.body[:] = [s for s in loop.body if not _is_tape_call(s, lst, "append")]
            fwd[:] = [s for s in fwd if not (
                isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and
                s.targets[0].id == lst)]
    return dropped


class _Plan:
    """What one reversed loop computes, step by step."""

    def __init__(self, pairs, carried, stmts, invariants):
        self.pairs = pairs            # (loop variable, its list)
        self.carried = carried        # the one name carried between steps, or None
        self.stmts = stmts            # (kind, name bound, _Val, op of a sum) in order
        self.invariants = invariants  # names read from outside the loop
        self.factor = None            # the carried name's factor per step (an expression)
        self.shifted = {}             # name -> loop variable it is restored from


class _Reject(Exception):
    pass


def _plan(loop, back, after, lists, scalar, returned, namer):
    if back.orelse:
        return None
    pairs = _pairs(back, lists)
    if pairs is None:
        return None
    body = list(back.body)
    # the number of steps (a list that the forward sweep stops making is not
    # asked; see vectorize_linear_loops)
    it = back.iter
    length = _call("len", deepcopy(it if _is_range(it) else it.args[0])) if not pairs else None
    # ``a, b, c, d = saved_locals`` at the top of the body: a tuple loop variable
    while body and isinstance(body[0], gast.Assign) and isinstance(
            body[0].targets[0], gast.Tuple) and isinstance(body[0].value, gast.Name) and all(
            isinstance(e, gast.Name) for e in body[0].targets[0].elts):
        whole = body[0].value.id
        k = next((k for k, (var, _) in enumerate(pairs) if var == whole), None)
        if k is None or any(whole in _reads(st) for st in body[1:]):
            return None
        pairs[k] = (tuple(e.id for e in body[0].targets[0].elts), pairs[k][1])
        body = body[1:]
    for var, lst in pairs:
        value = _appended(loop, lst)
        if isinstance(var, tuple):
            if not (isinstance(value, gast.Tuple) and len(value.elts) == len(var)):
                return None
            values = value.elts
        else:
            values = [value]
        if not all(isinstance(v, gast.Name) and scalar(v.id) for v in values):
            return None
    if not all(is_comment(s) or (
            isinstance(s, gast.Assign) and len(s.targets) == 1 and
            isinstance(s.targets[0], gast.Name)) or (
            isinstance(s, gast.AugAssign) and isinstance(s.target, gast.Name) and
            isinstance(s.op, (gast.Add, gast.Sub))) for s in body):
        return None
    loop_vars = {v for var, _ in pairs for v in _names(var)}
    # names read before the body binds them
    bound, early = set(loop_vars), []
    for s in body:
        if is_comment(s):
            continue
        reads = _reads(s.value)
        if isinstance(s, gast.AugAssign):
            reads.append(s.target.id)
        early += [v for v in reads if v not in bound and v not in early]
        bound.add(_target(s))
    stored = {_target(s) for s in body if not is_comment(s)}
    sums = {v for v in early if v in stored and _only_summed(body, v)}
    carried = [v for v in early if v in stored and v not in sums]
    invariants = [v for v in early if v not in stored]
    # a value restored from a loop variable (``x = x_prev``) and read before that
    # in the step: the value the step before restored, or at the first step the
    # value the loop starts with
    shifted = {v: _restored_from(body, v, loop_vars) for v in carried}
    shifted = {v: w for v, w in shifted.items() if w is not None}
    carried = [v for v in carried if v not in shifted]
    if len(carried) > 1 or not all(scalar(v) for v in invariants + carried + list(sums) +
                                   list(shifted)):
        return None
    carried = carried[0] if carried else None
    # nothing after the loop reads what the body binds, but the sums and the carried name
    local = (stored | loop_vars) - sums - {carried}
    # (``v += e`` reads ``v`` too, as does a write into a part of it)
    later = {n.id for s in after for n in gast.walk(s)
             if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)} | {
        n.target.id for s in after for n in gast.walk(s)
        if isinstance(n, gast.AugAssign) and isinstance(n.target, gast.Name)}
    if local & (later | returned):
        return None
    try:
        plan = _linear(pairs, carried, body, invariants, namer, shifted)
    except _Reject:
        return None
    plan.length = length
    return plan


def _restored_from(body, v, loop_vars):
    """The loop variable ``w`` of the one statement ``v = w`` that binds ``v``
    in ``body``, or None."""
    binds = [s for s in body if not is_comment(s) and _target(s) == v]
    if len(binds) == 1 and isinstance(binds[0], gast.Assign) and isinstance(
            binds[0].value, gast.Name) and binds[0].value.id in loop_vars:
        return binds[0].value.id
    return None


def _target(s):
    """The name a body statement (``t = e``, ``t += e``) binds."""
    return s.target.id if isinstance(s, gast.AugAssign) else s.targets[0].id


def _reads(node):
    """The names ``node`` reads as values (not ``math`` in ``math.sin``)."""
    bases = {id(n.value) for n in gast.walk(node) if isinstance(n, gast.Attribute)}
    return [n.id for n in gast.walk(node) if isinstance(n, gast.Name) and id(n) not in bases]


def _pairs(back, lists):
    """[(loop variable or tuple of them, list)] for
    ``for a, (b, c) in zip(reversed(a_tape), reversed(locals_tape))``."""
    it, target = back.iter, back.target
    if isinstance(target, gast.Name) and target.id == "_" and _is_range(
            it.args[0] if _is_call(it, "reversed") and len(it.args) == 1 else it):
        return []  # a loop that saves nothing: ``for _ in reversed(range(n))``, or
        # ``for _ in range(n_iter)`` for a ``while`` loop
    if _reversed_list(it):
        iters, targets = [it], [target]
    elif isinstance(it, gast.Call) and isinstance(it.func, gast.Name) and \
            it.func.id == "zip" and not it.keywords and isinstance(target, gast.Tuple) and \
            len(target.elts) == len(it.args):
        iters, targets = it.args, target.elts
    else:
        return None
    pairs = []
    for i, t in zip(iters, targets):
        if not (_reversed_list(i) and i.args[0].id in lists):
            return None
        if isinstance(t, gast.Name):
            pairs.append((t.id, i.args[0].id))
        elif isinstance(t, gast.Tuple) and all(isinstance(e, gast.Name) for e in t.elts):
            pairs.append((tuple(e.id for e in t.elts), i.args[0].id))
        else:
            return None
    return pairs


def _names(var):
    """The loop variables of one list: a name, or a tuple of names."""
    return [v for v in (var if isinstance(var, tuple) else (var,)) if v != "_"]


def _is_call(node, fn):
    return isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
        node.func.id == fn and not node.keywords


def _is_range(node):
    return _is_call(node, "range")


def _reversed_list(node):
    return _is_call(node, "reversed") and len(node.args) == 1 and isinstance(
        node.args[0], gast.Name)


def _appended(loop, lst):
    """The value the forward loop appends to ``lst`` (one statement of its body)."""
    found = [s for s in loop.body if _is_tape_call(s, lst, "append")]
    return found[0].value.args[0] if len(found) == 1 else None


def _only_summed(body, v):
    """Is every use of ``v`` in ``body`` a ``v += e`` or ``v -= e``?"""
    for s in body:
        if is_comment(s):
            continue
        if v in _reads(s.value):
            return False
        if isinstance(s, gast.Assign) and s.targets[0].id == v:
            return False
    return True


# -- the linear form of each statement --------------------------------------

class _Val:
    """A value of the loop body, computed over all steps at once.

    ``array`` computes it over arrays (the carried name's values at the start
    of each step are written ``_Val.START``); ``varies`` says whether it
    changes from step to step; ``factor`` is None for a value with no part
    from the carried name, else the value is the carried name's value at the
    start of the step times ``factor`` (``ONE`` for 1); ``pair`` is the two
    arrays of a product of two values that both vary.
    """

    START = "_sg_start"

    def __init__(self, array, varies, factor=None, pair=None):
        self.array, self.varies, self.factor, self.pair = array, varies, factor, pair

    @property
    def linear(self):
        return self.factor is not None


_ONE = "one"


def _linear(pairs, carried, body, invariants, namer, shifted):
    env = {v: _Val(name(v), True) for var, _ in pairs for v in _names(var)}
    env.update({v: _Val(name(v), False) for v in invariants})
    env.update({v: _Val(name(v), True) for v in shifted})
    varying = set(env) - set(invariants)  # the arrays' names whose values vary by step
    if carried is not None:
        env[carried] = _Val(name(_Val.START), True, _ONE)
    plan = _Plan(pairs, carried, [], invariants)
    plan.shifted = shifted
    factor = None  # the carried name's factor once the body writes it
    bound = set(varying)
    for s in body:
        if is_comment(s):
            plan.stmts.append(("comment", s, None, None))
            continue
        aug = s.op if isinstance(s, gast.AugAssign) else None
        target = _target(s)
        term = s.value
        if target == carried and aug is None and factor is not None and isinstance(
                term, gast.BinOp) and isinstance(term.op, (gast.Add, gast.Sub)) and isinstance(
                term.left, gast.Name) and term.left.id == carried:
            aug, term = term.op, term.right  # c = c + e after an earlier write: c += e
        elif aug is not None and target != carried and target in env:
            # t += e to a name this step bound: t = t + e, not a sum over the steps
            aug, term = None, gast.BinOp(left=name(target), op=type(aug)(), right=term)
        if carried is not None and env[carried] is None and carried in _reads(term):
            # the carried name read after a write in this step: its value there,
            # the value at the start of the step times the factor so far
            mid = namer.new(f"{carried}_mid")
            mid_factor = namer.new(f"{carried}_mid_factor")
            # the factor so far varies by step only where it reads a value that does
            mid_varies = bool(set(_reads(_expr(factor))) & varying)
            plan.stmts.append(("free", mid_factor, _Val(_expr(factor), mid_varies), None))
            factor = name(mid_factor)
            plan.stmts.append(("lin", mid, _Val(gast.BinOp(
                left=name(_Val.START), op=gast.Mult(), right=name(mid_factor)), True, factor),
                None))
            env[carried] = _Val(name(mid), True, factor)
            varying.add(mid)
            if mid_varies:
                varying.add(mid_factor)
        value = _value(term, env)
        if target == carried:
            if not value.linear:
                raise _Reject  # a term without the carried name
            if aug is not None:
                term = value.factor if isinstance(aug, gast.Add) else _neg(value.factor)
                factor = _add(factor or _ONE, term)
            else:
                factor = value.factor
            # a later read of the carried name would see this step's new value
            env[carried] = None
            continue
        if aug is not None:  # a sum
            if not value.varies:
                raise _Reject  # the same term each step
            plan.stmts.append(("sum", target, value, aug))
            continue
        if isinstance(term, gast.Name):  # a copy: the same array
            env[target] = value
            continue
        # a name bound twice in the body gets a name of its own the second time
        out = namer.new(target) if target in bound else target
        bound.add(target)
        env[target] = _Val(name(out), value.varies, value.factor)
        if value.varies:
            varying.add(out)
        plan.stmts.append(("lin" if value.linear else "free", out, value, None))
    if carried is not None and (factor is None or factor == _ONE):
        raise _Reject
    plan.factor = factor
    plan.factor_varies = factor is not None and bool(set(_reads(factor)) & varying)
    return plan


def _value(node, env):
    if isinstance(node, gast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise _Reject
        return _Val(const(node.value), False)
    if isinstance(node, gast.Name):
        v = env.get(node.id)
        if v is None:
            raise _Reject
        return _Val(deepcopy(v.array), v.varies, v.factor)
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
        v = _value(node.operand, env)
        if isinstance(node.op, gast.UAdd):
            return v
        return _Val(gast.UnaryOp(op=gast.USub(), operand=v.array), v.varies,
                    _neg(v.factor) if v.linear else None)
    if isinstance(node, gast.BinOp):
        a, b = _value(node.left, env), _value(node.right, env)
        op = node.op
        if not isinstance(op, (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow)):
            raise _Reject
        array = gast.BinOp(left=a.array, op=type(op)(), right=b.array)
        varies = a.varies or b.varies
        pair = (a.array, b.array) if isinstance(op, gast.Mult) and a.varies and b.varies \
            else None
        if not a.linear and not b.linear:
            if isinstance(op, gast.Pow) and not isinstance(node.right, gast.Constant):
                raise _Reject
            return _Val(array, varies, None, pair)
        if isinstance(op, (gast.Add, gast.Sub)):
            if not (a.linear and b.linear):
                raise _Reject  # a term without the carried name
            return _Val(array, True, _add(a.factor, b.factor if isinstance(op, gast.Add)
                                          else _neg(b.factor)))
        if isinstance(op, gast.Mult) and a.linear != b.linear:
            lin, free = (a, b) if a.linear else (b, a)
            return _Val(array, True, _mul(lin.factor, free.array), pair)
        if isinstance(op, gast.Div) and a.linear and not b.linear:
            return _Val(array, True, _div(a.factor, b.array))
        raise _Reject
    if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and isinstance(
            node.func.value, gast.Name) and node.func.value.id == "math" and \
            node.func.attr in _NUMPY_NAMES and not node.keywords and \
            len(node.args) == _ARITY.get(node.func.attr, 1):
        args = [_value(a, env) for a in node.args]
        if any(a.linear for a in args):
            raise _Reject
        return _Val(_np(_NUMPY_NAMES[node.func.attr], *[a.array for a in args]),
                    any(a.varies for a in args))
    if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and isinstance(
            node.func.value, gast.Name) and node.func.value.id == "rt" and \
            node.func.attr in _ELEMENTWISE_RUNTIME and not node.keywords:
        args = [_value(a, env) for a in node.args]
        if any(a.linear for a in args):
            raise _Reject
        return _Val(gast.Call(func=deepcopy(node.func), args=[a.array for a in args],
                              keywords=[]), any(a.varies for a in args))
    raise _Reject


def _div(f, g):
    if isinstance(f, gast.UnaryOp) and isinstance(f.op, gast.USub):  # -(a / g)
        return gast.UnaryOp(op=gast.USub(), operand=_div(f.operand, g))
    return gast.BinOp(left=_expr(f), op=gast.Div(), right=deepcopy(g))


def _expr(f):
    return const(1) if f == _ONE else deepcopy(f)


def _neg(f):
    return gast.UnaryOp(op=gast.USub(), operand=_expr(f))


def _add(f, g):
    g = _expr(g)
    if isinstance(g, gast.UnaryOp) and isinstance(g.op, gast.USub):
        return gast.BinOp(left=_expr(f), op=gast.Sub(), right=g.operand)
    return gast.BinOp(left=_expr(f), op=gast.Add(), right=g)


def _mul(f, g):
    if f == _ONE or isinstance(f, gast.Constant) and f.value == 1:
        return deepcopy(g)
    if isinstance(f, gast.UnaryOp) and isinstance(f.op, gast.USub):  # -(a * g), not -a * g
        return gast.UnaryOp(op=gast.USub(), operand=_mul(f.operand, g))
    return gast.BinOp(left=_expr(f), op=gast.Mult(), right=deepcopy(g))


# -- saved values computed again -------------------------------------------

def _recomputable(loop, plan):
    """{list: (loop variable, value over arrays)} for the saved values that the
    forward loop computes from other saved values and loop invariants, by
    arithmetic this pass can run over arrays: those lists can go."""
    # forward name -> (where the loop saves it, its list, its loop variable backwards)
    saved_at = {}
    for var, lst in plan.pairs:
        value = _appended(loop, lst)
        k = next(k for k, s in enumerate(loop.body) if _is_tape_call(s, lst, "append"))
        if isinstance(var, tuple):
            for v, e in zip(var, value.elts):
                if v != "_":
                    saved_at[e.id] = (k, lst, v)
        elif var != "_":
            saved_at[value.id] = (k, lst, var)
    changed = set()
    for s in loop.body:
        changed.update(stored_names(s))
    value_of = {}
    for u, (k_save, lst, var) in saved_at.items():
        if (var, lst) not in plan.pairs:
            continue  # one value of a tuple: its list holds the others too
        defs = [k for k in range(k_save) if isinstance(loop.body[k], gast.Assign) and
                isinstance(loop.body[k].targets[0], gast.Name) and
                loop.body[k].targets[0].id == u]
        if not defs or any(u in stored_names(s) for s in loop.body[defs[-1] + 1:k_save]):
            continue
        k_def = defs[-1]
        env = {}
        ok = True
        for w in _reads(loop.body[k_def].value):
            if w in saved_at:
                k_w = saved_at[w][0]
                lo, hi = min(k_def, k_w), max(k_def, k_w)
                if any(w in stored_names(s) for s in loop.body[lo + 1:hi]) or (
                        w == u and k_w > k_def):
                    ok = False
                env[w] = _Val(name(saved_at[w][2]), True)
            elif w not in changed and w in plan.invariants:
                env[w] = _Val(name(w), False)
            else:
                ok = False
        if not ok:
            continue
        try:
            value = _value(loop.body[k_def].value, env)
        except _Reject:
            continue
        value_of[lst] = (var, value.array, {saved_at[w][1] for w in env if w in saved_at})
    # a value computed again must come from saved values that stay saved
    return {lst: (var, value) for lst, (var, value, deps) in value_of.items()
            if deps and not deps & set(value_of)}


# -- the code ----------------------------------------------------------------

def _emit(plan, recomputed, namer):
    c = plan.carried
    what = f"are linear in {c}" if c is not None else "are independent"
    code = [comment(f"its steps {what}: they run as array operations")]
    for var, lst in plan.pairs:
        if not _names(var) or lst in recomputed:
            continue
        # float: numpy's ints overflow where Python's do not, and its bools do not negate
        array = _np("array", name(lst), name("float"))
        if isinstance(var, tuple):  # a list of tuples: one column each (and none empty)
            array = gast.Call(func=gast.Attribute(value=array, attr="reshape", ctx=gast.Load()),
                              args=[const(-1), const(len(var))], keywords=[])
        array = gast.Subscript(value=array, slice=gast.Slice(
            lower=None, upper=None, step=const(-1)), ctx=gast.Load())
        if isinstance(var, tuple):
            code.append(assign(gast.Tuple(elts=[name(v, "store") for v in var],
                                          ctx=gast.Store()),
                               gast.Attribute(value=array, attr="T", ctx=gast.Load())))
        else:
            code.append(assign(var, array))
    for var, value in recomputed.values():
        code.append(assign(var, value))
    for v, w in plan.shifted.items():  # x = np.append(x, x_prev)[:-1]
        code.append(assign(v, gast.Subscript(
            value=_np("append", name(v), name(w)),
            slice=gast.Slice(lower=None, upper=const(-1), step=None), ctx=gast.Load())))
    # what depends on the saved values alone comes first: the factor may read it
    for kind, target, value, _ in plan.stmts:
        if kind == "free":
            code.append(assign(target, value.array))
    start = None
    steps = None
    if c is not None:
        steps = namer.new(f"{c}_steps")
        value = _expr(plan.factor)
        if not plan.factor_varies:  # the same factor at every step (float, as above)
            value = _np("full", plan.length, value, name("float"))
        if isinstance(value, gast.Name):  # already an array of its own (dx_mid_factor)
            factor = value.id
        else:
            factor = namer.new(f"{c}_factor")
            code.append(assign(factor, value))
        code.append(assign(steps, _np("cumprod", _np("append", name(c), name(factor)))))
        start = gast.Subscript(value=name(steps), slice=gast.Slice(
            lower=None, upper=const(-1), step=None), ctx=gast.Load())
    pending = []
    located = []  # the body's comments that say where its statements come from
    for kind, target, value, op in plan.stmts:
        if kind == "comment":
            pending = [target]
            continue
        if kind == "free":
            continue
        code += pending
        located += pending
        pending = []
        if kind == "lin":
            code.append(assign(target, _at_start(value.array, start)))
        else:
            array, op = value.array, type(op)
            if value.pair is None and isinstance(array, gast.UnaryOp) and isinstance(
                    array.op, gast.USub):  # dk += -e: dk -= e
                array, op = array.operand, gast.Sub if op is gast.Add else gast.Add
            total = gast.BinOp(left=value.pair[0], op=gast.MatMult(), right=value.pair[1]) \
                if value.pair is not None else _np("sum", array)
            code.append(gast.AugAssign(target=name(target, "store"), op=op(),
                                       value=_call("float", _at_start(total, start))))
    if c is not None:
        code.append(assign(c, _call("float", gast.Subscript(
            value=name(steps), slice=const(-1), ctx=gast.Load()))))
    code = _without_dead(code, temps={target for kind, target, _, _ in plan.stmts
                                      if kind in ("lin", "free")})
    # a comment whose statements were all dead comes before another, or the end
    ends = {id(s) for s in located} | ({id(code[-1])} if c is not None else set())
    return [s for k, s in enumerate(code) if not (
        any(s is m for m in located) and (k + 1 == len(code) or id(code[k + 1]) in ends))]


def _without_dead(code, temps):
    """Drop assignments to body temporaries that nothing reads any more (the
    loop's ``dx = -d_one_minus_x`` read ``d_one_minus_x``; its factor does not)."""
    while True:
        read = {v for s in code if not is_comment(s) for v in _reads(
            s.value if isinstance(s, (gast.Assign, gast.AugAssign)) else s)}
        dead = [s for s in code if isinstance(s, gast.Assign) and isinstance(
            s.targets[0], gast.Name) and s.targets[0].id in temps and s.targets[0].id not in read]
        if not dead:
            return code
        code = [s for s in code if not any(s is d for d in dead)]


class _Start(gast.NodeTransformer):
    def __init__(self, start):
        self.start = start

    def visit_Name(self, node):
        return deepcopy(self.start) if node.id == _Val.START else node


def _at_start(array, start):
    """``array`` with the carried name's values at the start of each step put in."""
    return _Start(start).visit(array) if start is not None else array


def _np(fn, *args):
    return gast.Call(func=gast.Attribute(value=name("np"), attr=fn, ctx=gast.Load()),
                     args=list(args), keywords=[])


def _call(fn, *args):
    return gast.Call(func=name(fn), args=list(args), keywords=[])
