"""Give a loop's saved values lists of their own, walked backwards in the reverse sweep.

Requires: the finished forward and reverse sweeps of one function, where the
forward loops and their reversed loops carry ``_sg_loop_of`` (the loop they
come from) and the values saved inside loops go on the shared ``tape`` list.

A loop whose every iteration saves the same values in the same order (each
``tape.append(v)`` is a statement of the loop body itself, not of a branch
or an inner loop, and nothing leaves the loop early) does not need the
shared tape: its values go on lists of their own, and its reversed loop
walks those lists backwards instead of popping::

    x_tape = []                          for x in reversed(x_tape):
    for _ in range(n):                       ...
        x_tape.append(x)
        x = f(x)

``list.pop()`` is a method call per value; a ``for`` over ``reversed(...)``
is the interpreter's fastest loop, and the one a person writes by hand.  A
restored variable becomes the loop variable when the reversed body does not
touch it before its restore; otherwise the loop variable gets a name of its
own (``h_prev``) and the restore becomes a plain assignment.  The loop index
is kept (``zip(reversed(range(n)), ...)``) only where the reversed body reads
it.  A reversed loop left with nothing to do but take back the values from
before the first pass becomes ``if x_tape: x = x_tape[0]``.

A loop at the top level of the function runs once per call, so its lists
hold exactly one run's values.  A loop inside another gets lists afresh in
each pass of the outer loop, saved as a value of that pass.
"""

import gast

from .ast_util import assign, const, deepcopy, name, stored_names
from .forward import _mutated_in_place


def split_loop_tapes(fwd, rev, tape, namer):
    """Rewrite the loops of ``fwd``/``rev`` in place.

    Returns the names of the new lists at the top level (a callee returns
    them with its saved values), and the trip counters of ``while`` loops
    that are no longer needed (the forward sweep stops counting).
    """
    made, counters = [], []
    _split(fwd, rev, tape, namer, rev, made, counters, nested=False)
    return made, counters


def _split(fwd, rev, tape, namer, whole_rev, made, counters, nested):
    """Rewrite the loops of the block ``fwd`` whose reversed loops are in the block ``rev``.

    Inner loops go first.  An inner loop's lists are made afresh in each pass
    of the loop around it, which saves them as one value of its own
    (``tape.append(x_tape)`` after the inner loop, ``x_tape = tape.pop()``
    before the reversed one); the outer loop may then move that value onto a
    list of its own as well.
    """
    k = 0
    while k < len(fwd):
        loop = fwd[k]
        origin = getattr(loop, "_sg_loop_of", None)
        r = _reversed_index(rev, origin)
        if r is None:
            k += 1
            continue
        back = rev[r]
        _split(loop.body, back.body, tape, namer, whole_rev, made, counters, nested=True)
        old_iter = back.iter
        lists = _rewrite(loop, back, tape, namer)
        if not lists:
            k += 1
            continue
        if all(isinstance(st, gast.Pass) for st in back.body):
            # nothing to do backwards but take back the values before the first pass
            rev[r] = back = _first_values(back)
        fwd[k:k] = [assign(v, gast.List(elts=[], ctx=gast.Load())) for v in lists]
        k += len(lists)
        count = _unused_counter(loop, origin, old_iter, back, whole_rev, fwd, rev, tape)
        if count is not None:
            init = origin._sg_count_init
            # the counter goes, with the save and restore of its value from the
            # previous pass of an outer loop
            fwd[:] = [st for j, st in enumerate(fwd) if st is not init and not (
                j + 1 < len(fwd) and fwd[j + 1] is init and _is_tape_call(st, tape, "append"))]
            rev[:] = [st for st in rev if not _restores(st, count, tape)]
            k = fwd.index(loop)
            del loop.body[0]
            counters.append(count)
        if nested:
            value = name(lists[0]) if len(lists) == 1 else gast.Tuple(
                elts=[name(v) for v in lists], ctx=gast.Load())
            fwd.insert(k + 1, gast.Expr(value=gast.Call(
                func=gast.Attribute(value=name(tape), attr="append", ctx=gast.Load()),
                args=[value], keywords=[])))
            target = deepcopy(value)
            for n in gast.walk(target):
                if isinstance(n, (gast.Name, gast.Tuple)):
                    n.ctx = gast.Store()
            rev.insert(rev.index(back), assign(target, gast.Call(
                func=gast.Attribute(value=name(tape), attr="pop", ctx=gast.Load()),
                args=[], keywords=[])))
            k += 1
        else:
            made += lists
        k += 1


def _reversed_index(rev, origin):
    """Where in ``rev`` the reversed loop of ``origin`` is, or None."""
    if origin is None:
        return None
    for k, st in enumerate(rev):
        if isinstance(st, gast.For) and getattr(st, "_sg_loop_of", None) is origin:
            return k
    return None


def _first_values(back):
    """``if x_tape: x = x_tape[0]`` for ``for x in reversed(x_tape): pass``."""
    if isinstance(back.target, gast.Tuple) and isinstance(back.iter.func, gast.Name) and \
            back.iter.func.id == "zip":
        pairs = [(t, it.args[0]) for t, it in zip(back.target.elts, back.iter.args)]
    else:
        pairs = [(back.target, back.iter.args[0])]
    body = [assign(t, gast.Subscript(value=deepcopy(lst), slice=const(0), ctx=gast.Load()))
            for t, lst in pairs if not (isinstance(t, gast.Name) and t.id == "_")]
    if not body:
        return gast.Pass()
    return gast.If(test=deepcopy(pairs[0][1]), body=body, orelse=[])


def _unused_counter(loop, origin, old_iter, back, whole_rev, fwd, rev, tape):
    """The trip counter of a ``while`` loop that its reversed loop has stopped reading."""
    count = getattr(origin, "_sg_count", None)
    init = getattr(origin, "_sg_count_init", None)
    if not (isinstance(loop, gast.While) and count and init is not None):
        return None
    if not _uses(old_iter, count):
        return None
    # read nowhere else, but for the restore of its value from a previous pass
    restores = [st for st in rev if _restores(st, count, tape)]
    skip = {id(n) for r in restores for n in gast.walk(r)}
    if any(isinstance(n, gast.Name) and n.id == count and id(n) not in skip
           for st in whole_rev for n in gast.walk(st)):
        return None
    if restores:
        k = fwd.index(init) if any(st is init for st in fwd) else 0
        if len(restores) != 1 or not k or not (
                _is_tape_call(fwd[k - 1], tape, "append") and isinstance(
                    fwd[k - 1].value.args[0], gast.Name) and fwd[k - 1].value.args[0].id == count):
            return None
    first = loop.body[0] if loop.body else None
    if not (isinstance(first, gast.Assign) and first.targets[0].__class__ is gast.Name and
            first.targets[0].id == count):
        return None
    return count


def _restores(st, var, tape):
    """Is ``st`` ``var = tape.pop()``?"""
    return isinstance(st, gast.Assign) and isinstance(st.targets[0], gast.Name) and \
        st.targets[0].id == var and _is_tape_call(st, tape, "pop")


def _is_tape_call(st, tape, method):
    call = st.value if isinstance(st, (gast.Expr, gast.Assign)) else None
    return isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute) and \
        call.func.attr == method and isinstance(call.func.value, gast.Name) and \
        call.func.value.id == tape and len(call.args) == (method == "append")


def _uses(node, var):
    return any(isinstance(n, gast.Name) and n.id == var for n in gast.walk(node))


# a longer tuple of names is unpacked in the loop body, not in the loop header
_LONGEST_TARGET = 3


def _list_hint(pop):
    """``x_tape`` for ``x = tape.pop()``, ``x_part_tape`` for ``x[i] = tape.pop()``, ``x_tapes``
    for ``x_tape = tape.pop()``."""
    if isinstance(pop, gast.Assign):
        target = pop.targets[0]
        if isinstance(target, gast.Name):
            # an inner loop's list, one per pass: x_tapes
            return f"{target.id}s" if target.id.endswith("_tape") else f"{target.id}_tape"
        if isinstance(target, gast.Tuple) and all(
                isinstance(e, gast.Name) and e.id.endswith("_tape") for e in target.elts):
            return "tapes"
        if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
            return f"{target.value.id}_part_tape"
    return "locals_tape"


def _rewrite(loop, back, tape, namer):
    """Move ``loop``'s saves onto lists of their own; returns their names (or [])."""
    if loop.orelse or back.orelse:
        return []
    if any(isinstance(n, (gast.Break, gast.Continue, gast.Return)) for st in loop.body
           for n in gast.walk(st)):
        return []
    pushes = [k for k, st in enumerate(loop.body) if _is_tape_call(st, tape, "append")]
    pops = [k for k, st in enumerate(back.body) if _is_tape_call(st, tape, "pop")]
    if not pushes or len(pushes) != len(pops):
        return []
    # no other use of the tape anywhere inside either loop
    if any(_uses(st, tape) for k, st in enumerate(loop.body) if k not in pushes) or any(
            _uses(st, tape) for k, st in enumerate(back.body) if k not in pops):
        return []
    index = back.target.id if isinstance(back.target, gast.Name) else None
    if index is None:
        return []
    # A value written into after it is taken back stays on its list, so the list
    # would change under a later reader (forward mode over this code checks
    # that); ``pop`` takes it off the list.
    restored = {v for k in pops if isinstance(back.body[k], gast.Assign)
                for v in stored_names(back.body[k].targets[0])}
    if restored & _mutated_in_place(gast.Module(body=back.body, type_ignores=[])):
        return []
    keep_index = index != "_" and any(_uses(st, index) for st in back.body)
    # the k-th pop of the reversed body takes back the value of the k-th push from the end
    lists = []
    for k in reversed(pops):
        lists.append(namer.new(_list_hint(back.body[k])))
    for k, list_name in zip(pushes, lists):
        loop.body[k].value.func.value = name(list_name)
    targets = []
    hoisted = {index}
    body = list(back.body)
    for k, list_name in zip(pops, reversed(lists)):
        st = back.body[k]
        if isinstance(st, gast.Expr):  # a value taken back and dropped
            targets.append((name("_", "store"), list_name))
            body[k] = None
            continue
        target = st.targets[0]
        bound = stored_names(target)
        earlier = gast.Module(body=[s for s in body[:k] if s is not None], type_ignores=[])
        short = isinstance(target, gast.Name) or (
            isinstance(target, gast.Tuple) and len(target.elts) <= _LONGEST_TARGET)
        if short and not any(_uses(earlier, v) or v in hoisted for v in bound):
            hoisted.update(bound)
            targets.append((target, list_name))
            body[k] = None
        else:
            if isinstance(target, gast.Subscript):
                hint = _list_hint(st)[:-len("_tape")]
            else:
                hint = f"{bound[0]}_prev" if len(bound) == 1 else "saved_locals"
            saved = namer.new(hint)
            targets.append((name(saved, "store"), list_name))
            body[k] = assign(target, name(saved))
    iters = [gast.Call(func=name("reversed"), args=[name(v)], keywords=[]) for _, v in targets]
    elts = [t for t, _ in targets]
    if keep_index:
        iters.insert(0, back.iter)
        elts.insert(0, back.target)
    if len(iters) == 1:
        back.target, back.iter = elts[0], iters[0]
    else:
        back.target = gast.Tuple(elts=elts, ctx=gast.Store())
        back.iter = gast.Call(func=name("zip"), args=iters, keywords=[])
    back.body = [s for s in body if s is not None] or [gast.Pass()]
    return lists
