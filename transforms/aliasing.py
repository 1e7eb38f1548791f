"""Aliasing: refuse in-place writes that would silently change another name.

Requires: a normalized function.

numpy slicing, ``.T``, ``reshape`` and plain assignment share memory, so
after ``y = x[1:]`` a write ``x[1] = w`` also changes ``y``.  The gradient
would then need a dependence that no statement states, so srcgrad reports
such a write instead of differentiating it wrongly.  A write is refused only
when an alias of the written array is *used afterwards*: taking a view,
reading it, and then writing into the base is fine.

Augmented assignment to a name (``x += y``) rebinds the name in srcgrad's
model; that differs from numpy's in-place update only when another name
still refers to the old array, which is refused the same way.
"""

import gast

from .calls import names_in

VIEW_METHODS = frozenset({"reshape", "ravel", "transpose", "view", "swapaxes", "squeeze",
                          "diagonal"})
VIEW_FUNCTIONS = frozenset({"reshape", "ravel", "transpose", "swapaxes", "moveaxis",
                            "squeeze", "expand_dims", "broadcast_to", "diagonal", "asarray",
                            "atleast_1d", "atleast_2d", "atleast_3d"})


def _alias_source(value, local_names):
    """The local name whose memory ``value`` may share, or None."""
    if isinstance(value, gast.Name):
        return value.id
    if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name):
        return value.value.id
    if isinstance(value, gast.Attribute) and value.attr == "T" and isinstance(value.value,
                                                                               gast.Name):
        return value.value.id
    if isinstance(value, gast.Call):
        func = value.func
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name):
            if func.value.id in local_names and func.attr in VIEW_METHODS:
                return func.value.id
            if func.value.id not in local_names and func.attr in VIEW_FUNCTIONS and value.args \
                    and isinstance(value.args[0], gast.Name):
                return value.args[0].id
    return None


def _assigned_alias(s, local_names):
    """(targets, source, is_view) when ``s`` makes names share memory with ``source``."""
    if isinstance(s, gast.Assign) and isinstance(s.targets[0], (gast.Name, gast.Tuple)):
        src = _alias_source(s.value, local_names)
        targets = [s.targets[0]] if isinstance(s.targets[0], gast.Name) else s.targets[0].elts
        names = [t.id for t in targets if isinstance(t, gast.Name)]
        if src is not None:
            return names, src, not isinstance(s.value, gast.Name)
        return names, None, False
    if isinstance(s, gast.Expr) and isinstance(s.value, gast.Call) and isinstance(
            s.value.func, gast.Attribute) and s.value.func.attr == "append" and isinstance(
            s.value.func.value, gast.Name) and s.value.args and isinstance(
            s.value.args[0], gast.Name):
        return [], None, False
    return [], None, False


def _uses(s):
    if isinstance(s, gast.Assign):
        reads = set(names_in(s.value))
        for t in s.targets:
            if isinstance(t, gast.Subscript):
                reads |= set(names_in(t.slice)) | {t.value.id}
        return reads
    return set(names_in(s))


def _defs(s):
    if isinstance(s, gast.Assign):
        return {n.id for t in s.targets for n in gast.walk(t)
                if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
    return set()


def liveness(stmts, live_after, out):
    """Walk backwards, recording in ``out[id(stmt)]`` the names live after each statement."""
    live = set(live_after)
    for s in reversed(stmts):
        if isinstance(s, gast.If):
            a = liveness(s.body, live, out)
            b = liveness(s.orelse, live, out)
            live = a | b | set(names_in(s.test))
        elif isinstance(s, (gast.For, gast.While)):
            head = set(names_in(getattr(s, "iter", None) or s.test))
            # a for loop binds its target before each pass through the body
            target = {n.id for n in gast.walk(s.target) if isinstance(n, gast.Name)} \
                if isinstance(s, gast.For) else set()
            loop_live = set(live) | head
            while True:
                entry = liveness(s.body, loop_live, out) - target
                if entry <= loop_live:
                    break
                loop_live |= entry
            live = loop_live | head
        else:
            out[id(s)] = set(live)
            live = (live - _defs(s)) | _uses(s)
    return live


class _Checker:
    """Forward pass over alias pairs ``(a, b, is_view)`` that hold at each point."""

    def __init__(self, info, live_after, local_names, scalars):
        self.info = info
        self.live_after = live_after
        self.local_names = local_names
        self.scalars = scalars

    def block(self, stmts, pairs):
        for s in stmts:
            pairs = self.stmt(s, pairs)
        return pairs

    def stmt(self, s, pairs):
        if isinstance(s, gast.If):
            return self.block(s.body, set(pairs)) | self.block(s.orelse, set(pairs))
        if isinstance(s, (gast.For, gast.While)):
            state = set(pairs)
            while True:
                after = self.block(s.body, set(state))
                if after <= state:
                    return state
                state |= after
        self.check(s, pairs)
        targets, src, is_view = _assigned_alias(s, self.local_names)
        if isinstance(s, gast.Expr) and isinstance(s.value, gast.Call) and getattr(
                s.value.func, "attr", None) == "append" and s.value.args and isinstance(
                s.value.args[0], gast.Name) and isinstance(s.value.func.value, gast.Name):
            lst, x = s.value.func.value.id, s.value.args[0].id
            return pairs | {(lst, x, True), (x, lst, True)}
        if not targets:
            return pairs
        kept = {p for p in pairs if p[0] not in targets and p[1] not in targets}
        if src is None:
            return kept
        new = set()
        for t in targets:
            new |= {(t, src, is_view), (src, t, is_view)}
            for a, b, v in kept:
                if a == src:
                    new |= {(t, b, v or is_view), (b, t, v or is_view)}
        return kept | new

    def check(self, s, pairs):
        if not isinstance(s, gast.Assign):
            return
        t = s.targets[0]
        views_only = False
        if isinstance(t, gast.Subscript):
            written = t.value.id
            how = f"writing into '{written}'"
        elif getattr(s, "_sg_augmented", False) and t.id not in self.scalars:
            written = t.id
            how = f"'{written} {s._sg_augmented}= ...' (which srcgrad treats as rebinding)"
            views_only = True
        else:
            return
        live = self.live_after.get(id(s), set())
        for a, other, is_view in sorted(pairs):
            if a == written and other != written and other in live and (
                    is_view or not views_only):
                raise self.info.error(
                    getattr(s, "_sg_origin", None) or s,
                    f"{how} here also changes '{other}', which shares its memory and is "
                    "used later; srcgrad cannot differentiate through that",
                    f"give one of them its own copy, e.g. {other} = {written}.copy() or "
                    f"{written} = {written}.copy(), before the write",
                )


def may_share_memory(fn, local_names):
    """For each name, the names that may share memory with it (any program point)."""
    parent = {}

    def find(a):
        while parent.get(a, a) != a:
            a = parent[a]
        return a

    for s in gast.walk(fn):
        targets, src, _ = _assigned_alias(s, local_names)
        for t in targets:
            if src is not None:
                parent[find(t)] = find(src)
        if isinstance(s, gast.Expr) and isinstance(s.value, gast.Call) and getattr(
                s.value.func, "attr", None) == "append" and s.value.args and isinstance(
                s.value.args[0], gast.Name) and isinstance(s.value.func.value, gast.Name):
            parent[find(s.value.args[0].id)] = find(s.value.func.value.id)
    groups = {}
    for n in set(parent) | {p for p in parent.values()}:
        groups.setdefault(find(n), set()).add(n)
    return {n: group - {n} for group in groups.values() for n in group}


def check_aliasing(fn, info, scalars=()):
    """Raise a located error for an in-place write that changes a live alias."""
    params = {a.id for a in fn.args.args}
    local_names = set(fn.locals) | params
    live_after = {}
    liveness(fn.body, set(), live_after)
    _Checker(info, live_after, local_names, set(scalars)).block(fn.body, set())
