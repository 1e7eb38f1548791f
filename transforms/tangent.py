"""Forward mode: each statement followed by the statement that computes its tangent.

Requires: a normalized function (``normalize.normalize``) and its active
variables (``calls.activity``).

The tangent of ``x`` is ``dx``.  Every primal statement is kept as it is;
after it (or before it, when it overwrites a value its tangent reads) comes
the statement that updates the tangents, built from the rules' ``jvp``
templates.  Control flow is kept as it is: a loop or a branch of the primal
is a loop or branch of the tangent code, so nothing is recorded.

Tangents that are known to be zero are not created: the generator tracks
which active variables hold a tangent ("live" ones) and substitutes the
literal ``0.0`` for the others, then folds the template (``0.0 * x`` is
``0.0``, ``a + 0.0`` is ``a``).  Where control flow joins and a tangent is
live on one path only, the other path gives it an explicit zero; a loop's
body is generated under the set of tangents live at any iteration, found by
iterating to a fixed point.

A tangent the generator builds from another tangent without the primal
doing the same (``y = x + c`` gives ``dy = dx``) may share memory with it;
it is copied before the first in-place write into it, so that writing into
``y`` never changes ``dx``.
"""

import gast

from . import calls as C
from .aliasing import check_aliasing, liveness
from .ast_util import assign, const, deepcopy, name, parse_expr, unparse
from .inline import _Substitute, inline_temporaries
from .kinds import ValueKinds
from .normalize import ORIGIN
from .placeholders import comment
from .reverse import ReverseGen, _DropDefaults, _fold
from .templates import replace_expr


def _is_zero(node):
    return isinstance(node, gast.Constant) and type(node.value) in (int, float) and \
        node.value == 0 and getattr(node, "_sg_zero", False)


def zero():
    node = const(0.0)
    node._sg_zero = True
    return node


class _Fold(gast.NodeTransformer):
    """Simplify a jvp template once some tangents are the literal zero."""

    def __init__(self, rt):
        self.rt = rt

    def _rt(self, node, fname):
        f = node.func
        return isinstance(f, gast.Attribute) and f.attr == fname and isinstance(
            f.value, gast.Name) and f.value.id == self.rt

    def visit_BinOp(self, node):
        self.generic_visit(node)
        left, right = _is_zero(node.left), _is_zero(node.right)
        if isinstance(node.op, gast.Mult) and (left or right):
            return zero()
        if isinstance(node.op, (gast.Div, gast.MatMult)) and left:
            return zero()
        if isinstance(node.op, gast.Add):
            if left and right:
                return zero()
            if left:
                return node.right
            if right:
                return node.left
        if isinstance(node.op, gast.Sub):
            if left and right:
                return zero()
            if right:
                return node.left
            if left:
                return gast.UnaryOp(op=gast.USub(), operand=node.right)
        return node

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, (gast.USub, gast.UAdd)) and _is_zero(node.operand):
            return zero()
        return node

    def visit_IfExp(self, node):
        self.generic_visit(node)
        if _is_zero(node.body) and _is_zero(node.orelse):
            return zero()
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        if self._rt(node, "lin") and len(node.args) == 2:
            t, f = node.args
            if _is_zero(t):
                return zero()
            if isinstance(f, gast.Lambda) and len(f.args.args) == 1:
                param = f.args.args[0].id
                uses = [n for n in gast.walk(f.body) if isinstance(n, gast.Name)
                        and n.id == param]
                guarded = any(isinstance(n, gast.Attribute) and n.attr == "log0"
                              for n in gast.walk(f.body))
                if len(uses) == 1 and isinstance(t, gast.Name) and not guarded:
                    return _substitute(f.body, param, t)
        if self._rt(node, "broadcast_like") and node.args and _is_zero(node.args[0]):
            return zero()
        if (self._rt(node, "float") or isinstance(node.func, gast.Name) and
                node.func.id == "float") and node.args and _is_zero(node.args[0]):
            return zero()
        return node


class _DropKeywordDefaults(gast.NodeTransformer):
    """``np.sum(dx, axis=None, keepdims=False)`` -> ``np.sum(dx)`` where the caller left them."""

    def __init__(self, rule, bound):
        self.defaults = {p.name: p.default for p in rule.params if p.default is not None
                         and unparse(bound[p.name]) == p.default}

    def visit_Call(self, node):
        self.generic_visit(node)
        node.keywords = [k for k in node.keywords if not (
            k.arg in self.defaults and unparse(k.value) == self.defaults[k.arg])]
        return node


def _substitute(expr, old, new):
    return _Substitute(old, new).visit(deepcopy(expr))


def _fresh_lambda_params(template, inserted, names):
    """``template`` with each lambda parameter that a name of the ``inserted``
    expressions spells renamed (to none of those, nor of the template's
    ``names``): ``lambda t: x1 @ t`` with the operand ``t`` for ``x1`` would
    otherwise read ``lambda t: t @ t``."""
    taken = set(inserted) | set(names)
    for lam in [n for n in gast.walk(template) if isinstance(n, gast.Lambda)]:
        for arg in lam.args.args:
            if arg.id not in inserted:
                continue
            k = 1
            while f"{arg.id}{k}" in taken:
                k += 1
            new = f"{arg.id}{k}"
            lam.body = _substitute(lam.body, arg.id, name(new))
            arg.id = new
            taken.add(new)
    return template


class State:
    """What the generator knows at one point of the tangent code."""

    def __init__(self, live=(), shared=(), defined=(), bound=None):
        self.live = set(live)  # active variables whose tangent variable holds their tangent
        self.shared = set(shared)  # tangents that may share memory with another tangent
        self.defined = set(defined)  # variables that may have a value here
        # variables that surely have a value here (not one bound only in a loop
        # that may run no times, or in one branch)
        self.bound = set(defined if bound is None else bound)

    def copy(self):
        return State(self.live, self.shared, self.defined, self.bound)

    def merge(self, other):
        return State(self.live | other.live, self.shared | other.shared,
                     self.defined | other.defined, self.bound & other.bound)

    def key(self):
        return (frozenset(self.live), frozenset(self.shared))


class TangentGen(ValueKinds):
    """Builds the tangent code of one normalized function."""

    def __init__(self, fn, ctx, wrt, program, scalar_params=(), list_params=()):
        self.fn = fn
        self.ctx = ctx
        self.info = ctx.info
        self.namer = ctx.namer
        self.rt = ctx.rt
        self.program = program
        self.wrt = list(wrt)
        self.active = C.activity(fn, set(wrt), ctx)
        self.int_names = set()
        self.list_names = set()
        self.scalar_names = set(scalar_params)
        self.list_params = set(list_params)
        self._scan_kinds()
        self.active -= self._integers()
        check_aliasing(fn, ctx.info, self.scalar_names)
        self._last_origin = None
        self._breaks = []
        # generated code read by forward mode (higher derivatives) is its own comment
        self.comments = not getattr(program, "tangent_suffix", None)

    def _integers(self):
        """Names that only ever hold integers (loop indices and arithmetic on them)."""
        ints = set(self.int_names)
        assigns = [s for s in gast.walk(self.fn) if isinstance(s, gast.Assign)]
        defs = {}
        for s in assigns:
            for t in s.targets:
                for n in gast.walk(t):
                    if isinstance(n, gast.Name):
                        defs.setdefault(n.id, []).append(s.value if t is n else None)

        def integral(v):
            if isinstance(v, gast.Constant):
                return type(v.value) is int
            if isinstance(v, gast.Name):
                return v.id in ints
            if isinstance(v, gast.BinOp) and isinstance(
                    v.op, (gast.Add, gast.Sub, gast.Mult, gast.FloorDiv, gast.Mod)):
                return integral(v.left) and integral(v.right)
            if isinstance(v, gast.UnaryOp) and isinstance(v.op, gast.USub):
                return integral(v.operand)
            return False

        changed = True
        while changed:
            changed = False
            for var, values in defs.items():
                if var not in ints and all(v is not None and integral(v) for v in values):
                    ints.add(var)
                    changed = True
        params = {a.id for a in self.fn.args.args}
        return ints - params

    # -- names and helpers ---------------------------------------------------
    def tan(self, var):
        suffix = getattr(self.program, "tangent_suffix", None)
        if suffix:
            return self.namer.tangent(var, suffix)
        return self.namer.adjoint(var)

    def rtcall(self, fn, *args):
        return gast.Call(func=gast.Attribute(value=name(self.rt), attr=fn, ctx=gast.Load()),
                         args=list(args), keywords=[])

    def zeros(self, var):
        if var in self.scalar_names:
            return assign(self.tan(var), const(0.0))
        return assign(self.tan(var), self.rtcall("zeros_like", name(var)))

    def tangent_of(self, node, st):
        """The tangent of an atom: a Name node, or ``None`` when it is zero."""
        if isinstance(node, gast.Name) and node.id in self.active and node.id in st.live:
            return name(self.tan(node.id))
        return None

    def filled(self, node, st):
        """The tangent of an atom, with an explicit zero when it has none."""
        t = self.tangent_of(node, st)
        if t is not None:
            return t
        if self._is_scalar_atom(node):
            return const(0.0)
        return self.rtcall("zeros_like", deepcopy(node))

    # -- blocks --------------------------------------------------------------
    def block(self, stmts, st):
        out = []
        for s in stmts:
            src = getattr(s, ORIGIN, None)
            code = self.stmt(s, st)
            if src is not None and src is not self._last_origin and self.comments and \
                    not isinstance(
                    s, (gast.If, gast.For, gast.While)):
                self._last_origin = src
                code = [comment(self.describe(src))] + code
            out += code
        return out

    def describe(self, src):
        return ReverseGen.describe(self, src)

    def stmt(self, s, st):
        self.info.current = getattr(s, ORIGIN, None) or self.info.current
        if getattr(s, "_sg_opaque", False):
            return [s]
        if isinstance(s, gast.Assign):
            t = s.targets[0]
            if isinstance(t, gast.Name):
                return self.assign_name(s, t.id, s.value, st)
            if isinstance(t, gast.Subscript):
                return self.setitem(s, t, st)
            if isinstance(t, gast.Tuple):
                return self.unpack(s, t, st)
        if isinstance(s, gast.Expr):
            return self.expr(s, st)
        if isinstance(s, gast.If):
            return self.if_(s, st)
        if isinstance(s, gast.For):
            return self.loop(s, st)
        if isinstance(s, gast.While):
            return self.loop(s, st)
        if isinstance(s, gast.Break):
            self._breaks.append(st.copy())
            return [s]
        if isinstance(s, (gast.Pass, gast.Continue)):
            return [s]
        if isinstance(s, (gast.Assert, gast.Raise)):
            return [s]
        raise self.info.error(s, f"internal: no tangent for {type(s).__name__}")

    # -- assignments -----------------------------------------------------------
    def assign_name(self, s, y, value, st):
        st.defined.add(y)
        st.bound.add(y)
        if y not in self.active:
            if isinstance(value, gast.Call) and self._is_pop(value) and \
                    value.func.value.id in st.live:
                # the tangent list pops in step with the list, whatever is popped
                lst = self.tan(value.func.value.id)
                pop = gast.Call(func=gast.Attribute(value=name(lst), attr="pop",
                                                    ctx=gast.Load()), args=[], keywords=[])
                return [s, gast.Expr(value=pop)]
            return [s]
        if isinstance(value, gast.Call) and not self._is_pop(value):
            res, call = C.call_target(value, self.ctx)
            if isinstance(res, C.UserFunction):
                return self.user_call(s, y, value, res, st)
            if isinstance(res, C.CustomCall) and any(
                    self.tangent_of(a, st) is not None for a in value.args):
                raise self.info.error(
                    value, f"'{res.name}' has a custom gradient but no forward rule",
                    "differentiate it in reverse mode, or give the primitive a tangent "
                    "with @srcgrad.tangent")
        selfref = y in C.names_in(value)
        ans = self.stmt_name(s, "new", f"{y}_new") if selfref else y
        expr, shared = self.tangent_expr(s, ans, value, st)
        dy = self.tan(y)
        if expr is None:
            st.live.discard(y)
            st.shared.discard(y)
            return [s]
        st.live.add(y)
        if shared:
            st.shared.add(y)
        else:
            st.shared.discard(y)
        if not selfref:
            return [s, assign(dy, expr)]
        if ans not in C.names_in(expr):
            # the tangent reads only old values: compute it before they are overwritten
            return [assign(dy, expr), s]
        return [assign(ans, deepcopy(value)), assign(dy, expr), assign(y, name(ans))]

    def stmt_name(self, s, key, hint):
        """A fresh name tied to statement ``s``: the same one each time it is visited."""
        names = s.__dict__.setdefault("_sg_tnames", {})
        if key not in names:
            names[key] = self.namer.new(hint)
        return names[key]

    def _is_pop(self, value):
        f = value.func
        return isinstance(f, gast.Attribute) and f.attr == "pop" and isinstance(
            f.value, gast.Name) and f.value.id in self.ctx.locals and not value.args

    def tangent_expr(self, s, y, value, st):
        """(expression or None, may-share flag) for the tangent of ``y = value``."""
        if isinstance(value, gast.Name):
            t = self.tangent_of(value, st)
            return t, t is not None and value.id in st.shared
        if isinstance(value, gast.Constant):
            return None, False
        if isinstance(value, gast.BinOp) and self._is_list_op(value):
            return self.list_op(value, st), False
        if isinstance(value, gast.BinOp):
            rule = self.ctx.resolver.operator_rule(type(value.op).__name__)
            if rule is None or rule.nondiff:
                return None, False
            bound = {"x1": value.left, "x2": value.right}
            return self.apply_rule(rule, bound, y, self.ctx.resolver.array_module(), st)
        if isinstance(value, gast.UnaryOp):
            t = self.tangent_of(value.operand, st)
            if t is None or not isinstance(value.op, (gast.USub, gast.UAdd)):
                return None, False
            if isinstance(value.op, gast.USub):
                return gast.UnaryOp(op=gast.USub(), operand=t), False
            return t, value.operand.id in st.shared
        if isinstance(value, gast.Subscript):
            t = self.tangent_of(value.value, st)
            if t is None:
                return None, False
            return gast.Subscript(value=t, slice=deepcopy(value.slice), ctx=gast.Load()), False
        if isinstance(value, gast.Attribute):
            if value.attr in C.NONDIFF_ATTRS:
                return None, False
            t = self.tangent_of(value.value, st)
            if value.attr == "T":
                if t is None:
                    return None, False
                return gast.Attribute(value=t, attr="T", ctx=gast.Load()), False
            if t is None:
                return None, False
            raise self.info.error(s, f"cannot differentiate the attribute '.{value.attr}'",
                                  "use a numpy function instead")
        if isinstance(value, (gast.Tuple, gast.List)):
            ts = [self.tangent_of(e, st) for e in value.elts]
            if all(t is None for t in ts):
                return None, False
            elts = [t if t is not None else self.filled(e, st) for t, e in zip(ts, value.elts)]
            return type(value)(elts=elts, ctx=gast.Load()), False
        if isinstance(value, gast.Call):
            return self.call(s, y, value, st)
        return None, False

    def list_op(self, value, st):
        left, right = value.left, value.right
        if isinstance(value.op, gast.Add):
            tl, tr = self.tangent_of(left, st), self.tangent_of(right, st)
            if tl is None and tr is None:
                return None
            tl = tl or self.filled(left, st)
            tr = tr or self.filled(right, st)
            return gast.BinOp(left=tl, op=gast.Add(), right=tr)
        lst, times = (left, right) if isinstance(left, gast.Name) and \
            left.id in self.list_names else (right, left)
        t = self.tangent_of(lst, st)
        if t is None:
            return None
        return gast.BinOp(left=t, op=gast.Mult(), right=deepcopy(times))

    def call(self, s, y, value, st):
        if self._is_pop(value):
            t = self.tangent_of(value.func.value, st)
            if t is None:
                return None, False
            return gast.Call(func=gast.Attribute(value=t, attr="pop", ctx=gast.Load()),
                             args=[], keywords=[]), False
        res, call = C.call_target(value, self.ctx)
        if isinstance(res, C.Special) and res.kind in ("min", "max"):
            arg = value.args[0]
            t = self.tangent_of(arg, st)
            if t is None:
                return None, False
            if arg.id in self.list_names:
                return self.rtcall("select_tangent", t, name(arg.id), name(y)), False
            return self.rtcall("minmax_jvp", t, name(y), name(arg.id)), False
        if isinstance(res, C.Special) and res.kind == "sum":
            arg = value.args[0] if value.args else None
            start = value.args[1] if len(value.args) > 1 else None
            for kw in value.keywords:
                if kw.arg == "start":
                    start = kw.value
            ta = self.tangent_of(arg, st) if arg is not None else None
            ts = self.tangent_of(start, st) if start is not None else None
            if ta is None and ts is None:
                return None, False
            if ta is None:
                return ts, start.id in st.shared
            args = [ta] + ([ts] if ts is not None else [])
            return gast.Call(func=name("sum"), args=args, keywords=[]), False
        if isinstance(res, C.NonDiff) or (isinstance(res, C.Primitive) and res.rule.nondiff):
            return None, False
        if isinstance(res, C.Primitive):
            bound = C.bind(res.rule, call, self.info)
            return self.apply_rule(res.rule, bound, y, res.module, st, s)
        if isinstance(res, C.CustomCall):
            return None, False
        raise self.info.error(s, "internal: user call in an expression")

    def apply_rule(self, rule, bound, y, module, st, s=None):
        params = rule.params
        diff = C.diff_params(rule)
        tangents = {}
        any_live = False
        for p in params:
            arg = bound.get(p.name)
            if p.kind == "varargs":
                elts = arg.elts if isinstance(arg, gast.Tuple) else []
                ts = [self.tangent_of(e, st) for e in elts]
                if any(t is not None for t in ts):
                    any_live = True
                    tangents["d" + p.name] = gast.Tuple(
                        elts=[t if t is not None else zero() for t in ts], ctx=gast.Load())
                else:
                    tangents["d" + p.name] = zero()
                continue
            t = self.tangent_of(arg, st) if isinstance(arg, gast.Name) else None
            if t is not None and (p.name in diff or p.name == rule.inplace):
                any_live = True
                tangents["d" + p.name] = t
            else:
                tangents["d" + p.name] = zero()
        if not any_live:
            return None, False
        if rule.jvp is None:
            raise self.info.error(
                s or self.info.current, f"{rule.name} has no forward-mode rule",
                "use reverse mode for it, or register a tangent with @srcgrad.tangent")
        template = parse_expr(rule.jvp)
        names = set(C.names_in(template))
        repl = {}
        for p in params:
            if p.name in names:
                repl[p.name] = bound[p.name]
            if "d" + p.name in names:
                repl["d" + p.name] = tangents["d" + p.name]
        if "ans" in names:
            repl["ans"] = name(y)
        if "np" in names:
            repl["np"] = name(module) if "." not in module else parse_expr(module)
        if "rt" in names and self.rt != "rt":
            repl["rt"] = name(self.rt)
        self.program.rule_globals.update(getattr(rule, "globals", ()) or ())
        template = _fresh_lambda_params(
            template, {v for e in repl.values() for v in C.names_in(e)}, names)
        expr = _fold(replace_expr(template, **repl))
        expr = _Fold(self.rt).visit(expr)
        expr = _DropKeywordDefaults(rule, bound).visit(expr)
        defaults = getattr(self.ctx.resolver, "runtime_defaults", None)
        if defaults:
            expr = _DropDefaults(self.rt, defaults).visit(expr)
        if _is_zero(expr):
            return None, False
        expr = self._drop_broadcast(expr, rule, bound, st)
        shared = isinstance(expr, gast.Name) or (
            isinstance(expr, gast.Call) and isinstance(expr.func, gast.Attribute)
            and expr.func.attr == "broadcast_like" and isinstance(expr.args[0], gast.Name))
        return expr, shared

    def _drop_broadcast(self, expr, rule, bound, st):
        """``rt.broadcast_like(t, ans)`` is ``t`` when no operand can widen ``t``.

        Only for a rule whose result has its operands' broadcast shape: the
        result of ``np.full(shape, v)`` has the shape ``shape``, not ``v``'s.
        """
        if not (isinstance(expr, gast.Call) and isinstance(expr.func, gast.Attribute) and
                expr.func.attr == "broadcast_like") or not rule.broadcast:
            return expr
        ops = [bound[p] for p in rule.broadcast if p in bound]
        live = [o for o in ops if self.tangent_of(o, st) is not None]
        dead = [o for o in ops if self.tangent_of(o, st) is None]
        if not dead or all(self._is_scalar_atom(o) for o in dead) or all(
                isinstance(o, gast.Name) and isinstance(m, gast.Name) and o.id == m.id
                for o in dead for m in live):
            return expr.args[0]
        return expr

    # -- calls to user functions ---------------------------------------------
    def user_call(self, s, y, value, res, st):
        args = self.bind_user(value, res)
        active = tuple(i for i, a in enumerate(args)
                       if isinstance(a, gast.Name) and self.tangent_of(a, st) is not None)
        if not active:
            st.live.discard(y)
            return [s]
        lists = tuple(i for i, a in enumerate(args)
                      if isinstance(a, gast.Name) and a.id in self.list_names)
        jvp_name = self.program.request_jvp(res, active, lists)
        call = gast.Call(func=name(jvp_name),
                         args=[deepcopy(a) for a in args] +
                         [self.tangent_of(args[i], st) for i in active], keywords=[])
        st.live.add(y)
        st.shared.add(y)  # the callee may hand back one of its arguments' tangents
        target = gast.Tuple(elts=[name(y, "store"), name(self.tan(y), "store")],
                            ctx=gast.Store())
        return [assign(target, call)]

    def bind_user(self, call, res):
        return ReverseGen.bind_user(self, call, res)

    # -- other statements ------------------------------------------------------
    def setitem(self, s, target, st):
        """``x[idx] = v``: the tangent is written first, while views of ``x`` still
        hold the values the tangent expression reads."""
        x = target.value.id
        if x not in self.active:
            return [s]
        v = s.value
        tv = self.tangent_of(v, st) if isinstance(v, gast.Name) else None
        if x not in st.live and tv is None:
            return [s]
        out = self.own(x, st)
        store = gast.Subscript(value=name(self.tan(x)), slice=deepcopy(target.slice),
                               ctx=gast.Store())
        out.append(assign(store, tv if tv is not None else const(0.0)))
        return out + [s]

    def own(self, var, st):
        """Statements that give ``var`` a tangent it alone holds, before writing into it:
        a zero where it has none, a copy where it may share memory with another."""
        out = []
        if var not in st.live:
            out.append(self.zeros(var))
            st.live.add(var)
        elif var in st.shared:
            out.append(assign(self.tan(var), self.rtcall("copy", name(self.tan(var)))))
        st.shared.discard(var)
        return out

    def unpack(self, s, target, st):
        names_ = [e.id for e in target.elts]
        st.defined |= set(names_)
        st.bound |= set(names_)
        t = s.value
        tt = self.tangent_of(t, st) if isinstance(t, gast.Name) else None
        active = [n for n in names_ if n in self.active]
        if tt is None or not active:
            for n in names_:
                st.live.discard(n)
            return [s]
        elts = [name(self.tan(n) if n in self.active else "_", "store") for n in names_]
        for n in active:
            st.live.add(n)
            if t.id in st.shared:
                st.shared.add(n)
        return [s, assign(gast.Tuple(elts=elts, ctx=gast.Store()), tt)]

    def expr(self, s, st):
        call = s.value
        if isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute) and \
                call.func.attr == "append" and isinstance(call.func.value, gast.Name):
            lst = call.func.value.id
            if lst not in self.active:
                return [s]
            v = call.args[0]
            tv = self.tangent_of(v, st) if isinstance(v, gast.Name) else None
            out = [s]
            if lst not in st.live:
                if tv is None:
                    return out
                # the list gets its first tangent: zeros for what it already holds
                out.insert(0, assign(self.tan(lst), self.rtcall("zeros_like", name(lst))))
                st.live.add(lst)
            app = gast.Call(func=gast.Attribute(value=name(self.tan(lst)), attr="append",
                                                ctx=gast.Load()),
                            args=[tv if tv is not None else self.filled(v, st)], keywords=[])
            out.append(gast.Expr(value=app))
            return out
        if isinstance(call, gast.Call) and not self._is_pop(call) and C.dotted(call.func) and \
                "." in C.dotted(call.func) and \
                C.dotted(call.func).split(".")[0] not in self.ctx.locals:
            res, bound_call = C.call_target(call, self.ctx)
            rule = getattr(res, "rule", None)
            if rule is not None and rule.inplace is not None:
                return self.inplace_call(s, rule, C.bind(rule, bound_call, self.info),
                                         res.module, st)
        if isinstance(call, gast.Call):
            if self._is_pop(call) and call.func.value.id in st.live:
                pop = gast.Call(func=gast.Attribute(value=name(self.tan(call.func.value.id)),
                                                    attr="pop", ctx=gast.Load()),
                                args=[], keywords=[])
                return [s, gast.Expr(value=pop)]
            uses = [n for n in C.names_in(call) if n in self.active and n in st.live]
            if uses and not self._is_pop(call):
                res, _ = C.call_target(call, self.ctx)
                if isinstance(res, C.UserFunction):
                    raise self.info.error(
                        s, "cannot differentiate a call whose result is not used",
                        "return the values the function computes and assign them")
        return [s]

    def inplace_call(self, s, rule, bound, module, st):
        """A primitive that writes into an argument (``rt.add_at(acc, idx, g)``)."""
        acc = bound[rule.inplace]
        if not isinstance(acc, gast.Name) or acc.id not in self.active:
            return [s]
        others = [bound[p] for p in rule.vjp if p != rule.inplace]
        if all(self.tangent_of(o, st) is None for o in others) and (
                rule.inplace not in rule.vjp or acc.id not in st.live):
            return [s]  # an accumulation of zero, or an update of a zero tangent
        out = self.own(acc.id, st) + [s]
        expr, _ = self.apply_rule(rule, bound, acc.id, module, st, s)
        if expr is not None:
            out.append(gast.Expr(value=expr))
        return out

    # -- control flow ----------------------------------------------------------
    def _materialize(self, want, st, where, exposed=None):
        """Zero tangents for ``want`` that ``st`` lacks, appended to ``where``.

        Only for variables that may have a value (``zeros_like(v)`` reads
        ``v``); at a loop's entry (``exposed`` given), only for those that surely
        have one and those the body reads before binding them.
        """
        for v in sorted(want - st.live):
            if v in st.bound if exposed is not None and v not in exposed else \
                    v in st.defined:
                where.append(self.zeros(v))
                st.live.add(v)
                st.shared.discard(v)

    def if_(self, s, st):
        a, b = st.copy(), st.copy()
        body = self.block(s.body, a)
        orelse = self.block(s.orelse, b)
        union = a.live | b.live
        self._materialize(union, a, body)
        self._materialize(union, b, orelse)
        merged = a.merge(b)
        st.live, st.shared, st.defined = merged.live, merged.shared, merged.defined
        st.bound = merged.bound
        return [gast.If(test=deepcopy(s.test), body=body or [gast.Pass()], orelse=orelse)]

    def loop(self, s, st):
        if isinstance(s, gast.For):
            st.defined.add(s.target.id)
        entry = st.copy()
        want = State(st.live, st.shared, st.defined, st.bound)
        if isinstance(s, gast.For):
            want.bound.add(s.target.id)
        origin = self._last_origin
        for _ in range(8):
            trial = want.copy()
            saved_breaks = self._breaks
            self._breaks = []
            self._last_origin = None
            body = self.block(s.body, trial)
            breaks = self._breaks
            self._breaks = saved_breaks
            grown = want.merge(trial)
            for b in breaks:
                grown = grown.merge(b)
            if grown.key() == want.key():
                break
            want = grown
        else:  # pragma: no cover - the lattice is finite
            raise RuntimeError("loop tangent analysis did not converge")
        # regenerate with zeros where a path reaches a break or the back edge
        # without a tangent the loop's entry state expects
        self._breaks = []
        final = want.copy()
        self._last_origin = None
        body = self.block(s.body, final)
        self._materialize(want.live, final, body)
        self._last_origin = origin
        pre = []
        entry_state = entry
        # a loop-entry tangent matters only where the body reads the variable before
        # binding it; others may not exist yet (bound in an earlier loop that ran no times)
        exposed = liveness(s.body, set(), {})
        self._materialize(want.live, entry_state, pre, exposed)
        st.live = want.live | final.live
        st.shared = want.shared | final.shared
        st.defined = want.defined | final.defined
        st.bound = set(entry.bound)  # the loop may run no times
        if isinstance(s, gast.For):
            loop = gast.For(target=deepcopy(s.target), iter=deepcopy(s.iter), body=body,
                            orelse=[], type_comment=None)
        else:
            loop = gast.While(test=deepcopy(s.test), body=body, orelse=[])
        return pre + [loop]

    # -- the whole function ----------------------------------------------------
    def generate(self):
        """Returns (statements, the returned value's tangent expression)."""
        body = self.fn.body[:-1]
        ret = self.fn.body[-1]
        params = [a.id for a in self.fn.args.args]
        st = State(live=[p for p in self.wrt if p in self.active], defined=params)
        code = self.block(body, st)
        self._breaks = []
        value = ret.value
        if isinstance(value, gast.Tuple):
            ts = [self.tangent_of(e, st) if isinstance(e, gast.Name) else None
                  for e in value.elts]
            tan = gast.Tuple(elts=[t if t is not None else self.filled(e, st)
                                   for t, e in zip(ts, value.elts)], ctx=gast.Load())
        elif isinstance(value, gast.Name):
            tan = self.tangent_of(value, st) or self.filled(value, st)
        else:
            tan = self.rtcall("zeros_like", deepcopy(value))
        keep = set(self.fn.user_names) | set(C.names_in(ret)) | set(params)
        keep |= {self.tan(v) for v in keep if v in self.active}
        keep |= {n.id for n in gast.walk(tan) if isinstance(n, gast.Name)}
        return inline_temporaries(code, keep), tan


__all__ = ["TangentGen"]
