"""Reverse mode: the forward sweep that records, and the reverse sweep.

Requires: a normalized function (``normalize.normalize``) and its active
variables (``calls.activity``).

The reverse sweep keeps one invariant: when the adjoint of a statement runs,
every primal variable holds the value it had just after that statement ran
in the forward sweep.  The forward sweep therefore saves a variable's old
value before overwriting it (``tape.append(x)``), and the reverse sweep puts
it back after the adjoint (``x = tape.pop()``) — but only for variables the
reverse sweep actually reads ("needed"), and only where an old value exists.
Branch tests and loop bounds are ordinary variables under this scheme, so
decisions are recomputed from restored values rather than recorded.  A
``for`` over a ``range`` whose bounds the body does not change is reversed
as ``for i in reversed(range(...))``; other loops count their trips.

Adjoints are created by their first contribution and accumulate afterwards;
where control flow joins, an adjoint that exists on one path only is given an
explicit zero on the other.
"""

import gast

from . import calls as C
from .aliasing import check_aliasing
from .ast_util import assign, const, deepcopy, name, parse_expr, stored_names, unparse
from .inline import inline_temporaries
from .normalize import ORIGIN
from .templates import replace_expr

COMMENT = "__SRCGRAD_COMMENT__:"


class LoopLocals(gast.Expr):
    """Placeholder at the start of a reverse loop body: take back the iteration's locals."""

    def __init__(self, loop):
        super().__init__(value=gast.Constant(value=None, kind=None))
        self.loop = loop


class Restore(gast.Expr):
    """Placeholder in the reverse sweep: restore ``var`` here if it was saved."""

    def __init__(self, stmt, var):
        super().__init__(value=gast.Constant(value=None, kind=None))
        self.stmt = stmt
        self.var = var


def comment(text):
    return gast.Expr(value=gast.Constant(value=COMMENT + text, kind=None))


class Context:
    def __init__(self, fn, info, resolver, namer, rt="rt", parent_functions=None):
        self.fn = fn
        self.info = info
        self.resolver = resolver
        self.namer = namer
        self.locals = set(fn.locals) | {a.id for a in fn.args.args}
        self.rt = rt
        self.local_functions = dict(parent_functions or {})
        for d in fn.lifted:
            self.local_functions[d.name] = (d, self.locals, info, resolver)
        self._lifted = {}

    def lifted_function(self, fname):
        """The nested function ``fname``, lifted: its free variables become parameters."""
        if fname in self._lifted:
            return self._lifted[fname]
        d, outer_locals, info, resolver = self.local_functions[fname]
        own = {a.id for a in d.args.args}
        stored = set(stored_names(d)) | own
        free = []
        for n in gast.walk(d):
            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load) and \
                    n.id in outer_locals and n.id not in stored and n.id not in free and \
                    n.id not in self.local_functions:
                free.append(n.id)
        lifted = deepcopy(d)
        for v in free:
            lifted.args.args.append(gast.Name(id=v, ctx=gast.Param(), annotation=None,
                                              type_comment=None))
        res = C.UserFunction((id(d), fname), lifted, info, resolver, tuple(free), fname)
        res.local_functions = self.local_functions
        self._lifted[fname] = res
        return res


class ReverseGen:
    """Builds the forward and reverse sweeps of one normalized function."""

    def __init__(self, fn, ctx, wrt, program, scalar_params=(), list_params=()):
        self.fn = fn
        self.ctx = ctx
        self.info = ctx.info
        self.namer = ctx.namer
        self.rt = ctx.rt
        self.program = program
        self.active = C.activity(fn, wrt, ctx)
        self.wrt = wrt
        self.tape = None
        self._ans = None
        self.pre_init = []
        self._last_origin = None
        self.int_names = set()
        self.list_names = set()
        self.scalar_names = set(scalar_params)
        self.list_params = set(list_params)
        self._scan_kinds()
        check_aliasing(fn, ctx.info, self.scalar_names)

    # -- static kinds of values --------------------------------------------
    def _scan_kinds(self):
        for s in gast.walk(self.fn):
            if isinstance(s, gast.For):
                self.int_names.add(s.target.id)
            if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name):
                v = s.value
                t = s.targets[0].id
                if isinstance(v, (gast.List, gast.Tuple)):
                    self.list_names.add(t)
                if isinstance(v, gast.Call) and isinstance(v.func, gast.Name) and \
                        v.func.id in ("len", "int") and v.func.id not in self.ctx.locals:
                    self.int_names.add(t)
            if isinstance(s, gast.Expr) and isinstance(s.value, gast.Call) and isinstance(
                    s.value.func, gast.Attribute) and s.value.func.attr == "append":
                if isinstance(s.value.func.value, gast.Name):
                    self.list_names.add(s.value.func.value.id)
        grew = True
        while grew:
            grew = False
            for s in gast.walk(self.fn):
                if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and \
                        s.targets[0].id not in self.list_names and (
                            self._is_list_op(s.value) or isinstance(s.value, gast.Name)
                            and s.value.id in self.list_names):
                    self.list_names.add(s.targets[0].id)
                    grew = True
        # values that are lists or tuples: those built as such, and parameters
        # the caller passes lists or tuples for
        self.list_names |= self.list_params
        self.maybe_lists = set(self.list_names)
        for a in self.fn.args.args:
            if isinstance(a.annotation, gast.Name) and a.annotation.id == "float":
                self.scalar_names.add(a.id)
        # Python scalars: the greatest set consistent with every assignment, so
        # that a loop-carried ``x = x + h * math.sin(x)`` counts as scalar.
        params = {a.id for a in self.fn.args.args}
        assigns = [s for s in gast.walk(self.fn) if isinstance(s, gast.Assign)]
        scalar = set(self.scalar_names)
        scalar |= {s.targets[0].id for s in assigns if isinstance(s.targets[0], gast.Name)
                   and s.targets[0].id not in params}
        scalar |= {s.target.id for s in gast.walk(self.fn) if isinstance(s, gast.For)}
        for s in gast.walk(self.fn):
            if isinstance(s, gast.Assign) and not isinstance(s.targets[0], gast.Name):
                scalar -= set(stored_names(s.targets[0]))
                for t in s.targets:
                    if isinstance(t, gast.Subscript):
                        scalar.discard(t.value.id)
        scalar -= self.list_names
        changed = True
        while changed:
            changed = False
            self.scalar_names = scalar
            for s in assigns:
                t = s.targets[0]
                if isinstance(t, gast.Name) and t.id in scalar and not self._is_scalar_expr(
                        s.value):
                    scalar.discard(t.id)
                    changed = True

    def _is_list_op(self, v):
        return isinstance(v, gast.BinOp) and isinstance(v.op, (gast.Add, gast.Mult)) and any(
            isinstance(o, gast.Name) and o.id in self.list_names for o in (v.left, v.right))

    def list_op_contribs(self, value, g):
        """Contributions of ``a + b`` (concatenation) or ``a * n`` (repetition) on lists."""
        res = []
        left, right = value.left, value.right
        if isinstance(value.op, gast.Add):
            n = gast.Call(func=name("len"), args=[deepcopy(left)], keywords=[])
            if self.active_name(left):
                res.append(("list", left.id, gast.Subscript(
                    value=g, slice=gast.Slice(lower=None, upper=n, step=None), ctx=gast.Load())))
            if self.active_name(right):
                res.append(("list", right.id, gast.Subscript(
                    value=g, slice=gast.Slice(lower=deepcopy(n), upper=None, step=None),
                    ctx=gast.Load())))
            return res
        lst, times = (left, right) if isinstance(left, gast.Name) and \
            left.id in self.list_names else (right, left)
        if self.active_name(lst):
            n = gast.Call(func=name("len"), args=[deepcopy(lst)], keywords=[])
            res.append(("list", lst.id, self.rtcall("repeat_list_grad", g, n, deepcopy(times))))
        return res

    def _is_scalar_expr(self, v):
        if isinstance(v, gast.Constant):
            return isinstance(v.value, (int, float)) and not isinstance(v.value, bool)
        if isinstance(v, gast.Name):
            return v.id in self.scalar_names
        if isinstance(v, gast.BinOp):
            return self._is_scalar_expr(v.left) and self._is_scalar_expr(v.right)
        if isinstance(v, gast.UnaryOp):
            return self._is_scalar_expr(v.operand)
        if isinstance(v, gast.Compare):
            return True
        if isinstance(v, gast.Call):
            d = C.dotted(v.func)
            if d and d.startswith("math.") and d.split(".")[0] not in self.ctx.locals:
                return True
            if d in ("float", "int", "len", "round") and d not in self.ctx.locals:
                return True
            if d in ("abs", "min", "max") and d not in self.ctx.locals:
                return all(self._is_scalar_expr(a) for a in v.args)
        return False

    def _is_scalar_atom(self, node):
        return isinstance(node, gast.Constant) or (
            isinstance(node, gast.Name) and node.id in self.scalar_names)

    # -- names -------------------------------------------------------------
    def adj(self, var):
        return self.namer.adjoint(var)

    def stmt_name(self, s, key, hint):
        """A fresh name tied to statement ``s``: the same one each time ``s`` is reversed."""
        names = s.__dict__.setdefault("_sg_names", {})
        if key not in names:
            names[key] = self.namer.new(hint)
        return names[key]

    def rtcall(self, fn, *args):
        return gast.Call(func=gast.Attribute(value=name(self.rt), attr=fn, ctx=gast.Load()),
                         args=list(args), keywords=[])

    # -- accumulation ------------------------------------------------------
    def accumulate(self, var, expr, live, out):
        a = self.adj(var)
        if var in live and var in self.maybe_lists:
            # the cotangent of a list is a list: add element by element, not ``+``
            out.append(assign(a, self.rtcall("add", name(a), expr)))
            live[var] = True
            return
        if var in live:
            if live[var]:
                out.append(gast.AugAssign(target=name(a, "store"), op=gast.Add(), value=expr))
            else:
                out.append(assign(a, gast.BinOp(left=name(a), op=gast.Add(), right=expr)))
                live[var] = True
        else:
            out.append(assign(a, expr))
            live[var] = False

    def accumulate_list(self, var, expr, live, out):
        a = self.adj(var)
        if var in live:
            out.append(assign(a, self.rtcall("list_add", name(a), expr)))
            live[var] = True
        else:
            fresh = isinstance(expr, (gast.List, gast.BinOp, gast.ListComp))
            out.append(assign(a, expr if fresh else gast.Call(func=name("list"), args=[expr],
                                                                   keywords=[])))
            live[var] = True

    def own(self, var, live, out):
        """Make the adjoint of ``var`` an array this sweep may write into."""
        a = self.adj(var)
        if var not in live:
            out.append(assign(a, self.rtcall("zeros_like", name(var))))
        elif not live[var]:
            out.append(assign(a, self.rtcall("writable", name(a), name(var))))
        live[var] = True

    def accumulate_index(self, var, idx, g, live, out):
        self.own(var, live, out)
        a = self.adj(var)
        if var in self.list_names or self._basic_index(idx):
            target = gast.Subscript(value=name(a), slice=deepcopy(idx), ctx=gast.Store())
            if var in self.list_names:
                read = gast.Subscript(value=name(a), slice=deepcopy(idx), ctx=gast.Load())
                out.append(assign(target, gast.BinOp(left=read, op=gast.Add(), right=g)))
            else:
                out.append(gast.AugAssign(target=target, op=gast.Add(), value=g))
        else:
            out.append(gast.Expr(value=self.rtcall("add_at", name(a), _index_value(idx), g)))

    def _basic_index(self, idx):
        if isinstance(idx, gast.Tuple):
            return all(self._basic_index(e) for e in idx.elts)
        if isinstance(idx, gast.Slice):
            return True
        if isinstance(idx, gast.Constant):
            return idx.value is None or idx.value is Ellipsis or isinstance(idx.value, int)
        if isinstance(idx, gast.Name):
            return idx.id in self.int_names
        return False

    def zero(self, var):
        """A zero cotangent for ``var``: ``0.0`` for a known scalar."""
        if var in self.scalar_names:
            return const(0.0)
        return self.rtcall("zeros_like", name(var))

    def kill(self, var, live):
        live.pop(var, None)

    # -- the reverse sweep ---------------------------------------------------
    def rev_block(self, stmts, live):
        out = []
        for s in reversed(stmts):
            code = self.rev_stmt(s, live)
            real = [c for c in code if not isinstance(c, Restore)]
            src = getattr(s, ORIGIN, None)
            if real and src is not None and src is not self._last_origin and not isinstance(
                    s, (gast.If, gast.For, gast.While)):
                self._last_origin = src
                code = [comment(self.describe(src))] + code
            out += code
        return out

    def describe(self, src):
        line = self.info.lines[src.lineno - 1].strip() if getattr(src, "lineno", None) else ""
        line = _without_comment(line)
        if isinstance(src, (gast.For, gast.While, gast.If)):
            line = line.rstrip(":")
        return f"{line}  {self.info.short_location(src)}"

    def rev_stmt(self, s, live):
        self.info.current = getattr(s, ORIGIN, None) or self.info.current
        if getattr(s, "_sg_opaque", False):
            return []
        if isinstance(s, gast.Assign):
            t = s.targets[0]
            if isinstance(t, gast.Name):
                code = self.rev_assign(s, t.id, s.value, live)
                call = getattr(s, "_sg_call", None)
                if call is not None:
                    code.append(Restore(s, call[1]))  # saved before y: restored after
                return code
            if isinstance(t, gast.Subscript):
                return self.rev_setitem(s, t, live)
            if isinstance(t, gast.Tuple):
                return self.rev_unpack(s, t, live)
        if isinstance(s, gast.Expr):
            return self.rev_expr(s, live)
        if isinstance(s, gast.If):
            return self.rev_if(s, live)
        if isinstance(s, gast.For):
            return self.rev_for(s, live)
        if isinstance(s, gast.While):
            return self.rev_while(s, live)
        if isinstance(s, (gast.Break, gast.Return)):
            return []
        raise self.info.error(s, f"internal: cannot reverse {type(s).__name__}")

    def rev_assign(self, s, y, value, live):
        """Adjoint of ``y = value``, followed by the restore of ``y``'s old value.

        When ``value`` reads ``y`` itself (``x = x * a``), the old value is
        restored first, because the contributions read it; a template that
        needs the new value (``ans``) reads a copy taken before the restore.
        """
        self._stmt = s
        restore = Restore(s, y)
        if y not in self.active or y not in live:
            return [restore]
        g = name(self.adj(y))
        out = []
        selfref = y in C.names_in(value)
        new_value = self.stmt_name(s, "new", f"{y}_new") if selfref else y
        self._ans = new_value
        contribs = self.contributions(s, y, value, g, out)
        self._ans = None
        if not selfref:
            self.kill(y, live)
            self.emit(contribs, live, out)
            return out + [restore]
        head = []
        if any(new_value in C.names_in(e if k == "dense" or k == "list" else e[1])
               for k, _, e in contribs):
            head.append(assign(new_value, name(y)))
        mine = [c for c in contribs if c[1] == y]
        others = [c for c in contribs if c[1] != y]
        if any(k != "dense" for k, _, _ in mine):
            # the cotangent is about to be rebuilt from itself: read it from a copy
            g_out = self.stmt_name(s, "g", f"{self.adj(y)}_out")
            head.append(assign(g_out, g))
            mine = [(k, v, _rename(e, g.id, g_out)) for k, v, e in mine]
            others = [(k, v, _rename(e, g.id, g_out)) for k, v, e in others]
        self.emit(others, live, out)
        dense = [e for k, _, e in mine if k == "dense"]
        if len(dense) == 1 and isinstance(dense[0], gast.Name) and dense[0].id == g.id:
            rest = []  # the old value's cotangent is the new one's: nothing to do
        else:
            self.kill(y, live)
            rest = mine
        self.emit(rest, live, out)
        return head + [restore] + out

    def emit(self, contribs, live, out):
        """Accumulate each contribution: grouped per variable, in order."""
        merged = []
        for kind, var, expr in contribs:
            if kind == "dense" and merged and merged[-1][0] == "dense" and merged[-1][1] == var:
                prev = merged[-1][2]
                if unparse(prev) == unparse(expr):  # x * x: one term, twice
                    merged[-1] = ("dense", var, gast.BinOp(left=const(2), op=gast.Mult(),
                                                           right=expr))
                else:
                    merged[-1] = ("dense", var, gast.BinOp(left=prev, op=gast.Add(),
                                                           right=expr))
            else:
                merged.append((kind, var, expr))
        for kind, var, expr in merged:
            if kind == "dense":
                self.accumulate(var, expr, live, out)
            elif kind == "list":
                self.accumulate_list(var, expr, live, out)
            elif kind == "index":
                idx, gexpr = expr
                self.accumulate_index(var, idx, gexpr, live, out)

    def active_name(self, node):
        return isinstance(node, gast.Name) and node.id in self.active

    def contributions(self, s, y, value, g, out):
        """(kind, variable, expression) for each adjoint contribution of ``y = value``."""
        res = []
        if isinstance(value, gast.Name):
            if value.id in self.active:
                res.append(("dense", value.id, g))
            return res
        if isinstance(value, gast.Constant):
            return res
        if isinstance(value, gast.BinOp) and self._is_list_op(value):
            return self.list_op_contribs(value, g)
        if isinstance(value, gast.BinOp):
            op = type(value.op).__name__
            rule = self.ctx.resolver.operator_rule(op)
            if rule is None or rule.nondiff:
                return res
            bound = {"x1": value.left, "x2": value.right}
            return self.rule_contribs(rule, bound, y, g, self.ctx.resolver.array_module(), out)
        if isinstance(value, gast.UnaryOp):
            if isinstance(value.op, gast.USub) and self.active_name(value.operand):
                res.append(("dense", value.operand.id, gast.UnaryOp(op=gast.USub(), operand=g)))
            elif isinstance(value.op, gast.UAdd) and self.active_name(value.operand):
                res.append(("dense", value.operand.id, g))
            return res
        if isinstance(value, gast.Subscript):
            if self.active_name(value.value):
                res.append(("index", value.value.id, (value.slice, g)))
            return res
        if isinstance(value, gast.Attribute):
            if value.attr == "T" and self.active_name(value.value):
                mod = self.ctx.resolver.array_module()
                res.append(("dense", value.value.id, parse_expr(f"{mod}.transpose(g)")))
                res[-1] = ("dense", value.value.id, replace_expr(res[-1][2], g=g))
                return res
            if value.attr in C.NONDIFF_ATTRS:
                return res
            raise self.info.error(s, f"cannot differentiate the attribute '.{value.attr}'",
                                  "use a numpy function instead")
        if isinstance(value, (gast.Tuple, gast.List)):
            for i, e in enumerate(value.elts):
                if self.active_name(e):
                    part = gast.Subscript(value=g, slice=const(i), ctx=gast.Load())
                    res.append(("dense", e.id, part))
            return res
        if isinstance(value, gast.Call):
            return self.call_contribs(s, y, value, g, out)
        return res

    def call_contribs(self, s, y, value, g, out):
        res, call = C.call_target(value, self.ctx)
        if isinstance(res, C.Special) and res.kind in ("min", "max"):
            arg = value.args[0]
            if not self.active_name(arg):
                return []
            if arg.id in self.list_names:
                return [("list", arg.id, self.rtcall("select_grad", g, name(arg.id), name(y)))]
            return [("dense", arg.id, self.rtcall("minmax_grad", g, name(y), name(arg.id)))]
        if isinstance(res, C.Special) and res.kind == "sum":
            out_ = []
            arg = value.args[0] if value.args else None
            if self.active_name(arg):
                if arg.id in self.list_names:
                    n = gast.Call(func=name("len"), args=[name(arg.id)], keywords=[])
                    lst = gast.BinOp(left=gast.List(elts=[g], ctx=gast.Load()), op=gast.Mult(),
                                     right=n)
                    out_.append(("list", arg.id, lst))
                else:
                    out_.append(("dense", arg.id, self.rtcall("sum_grad", g, name(arg.id),
                                                             const(0))))
            start = value.args[1] if len(value.args) > 1 else None
            for kw in value.keywords:
                if kw.arg == "start":
                    start = kw.value
            if self.active_name(start):
                out_.append(("dense", start.id, self.rtcall("unbroadcast", g, name(start.id))))
            return out_
        if isinstance(res, C.NonDiff) or (isinstance(res, C.Primitive) and res.rule.nondiff):
            return []
        if isinstance(res, C.Primitive):
            bound = C.bind(res.rule, call, self.info)
            return self.rule_contribs(res.rule, bound, y, g, res.module, out)
        return self.user_contribs(s, y, value, res, g, out)

    def rule_contribs(self, rule, bound, y, g, module, out):
        res = []
        for param, template in rule.vjp.items():
            arg = bound.get(param)
            p = rule.param(param)
            if p.kind == "varargs":
                elts = arg.elts if isinstance(arg, gast.Tuple) else []
                if not any(self.active_name(e) for e in elts):
                    continue
                expr = self.instantiate(template, rule, bound, y, g, module)
                tmp = self.stmt_name(self._stmt, ("varargs", param), "d_" + param)
                out.append(assign(tmp, expr))
                for i, e in enumerate(elts):
                    if self.active_name(e):
                        part = gast.Subscript(value=name(tmp), slice=const(i), ctx=gast.Load())
                        res.append(("dense", e.id, part))
                continue
            if not self.active_name(arg):
                continue
            expr = self.instantiate(template, rule, bound, y, g, module)
            if p.is_list:
                res.append(("list", arg.id, expr))
                continue
            if param in rule.broadcast and self.needs_unbroadcast(rule, bound, param):
                expr = self.rtcall("unbroadcast", expr, name(arg.id))
            res.append(("dense", arg.id, expr))
        return res

    def needs_unbroadcast(self, rule, bound, param):
        mine = bound[param]
        others = [bound[p] for p in rule.broadcast if p != param]
        if all(self._is_scalar_atom(o) and not (isinstance(o, gast.Name) and False)
               for o in others) and not self._is_scalar_atom(mine):
            return False  # the other operands are scalars: the result has my shape
        if all(self._is_scalar_atom(o) for o in others + [mine]):
            return False
        if all(isinstance(o, gast.Name) and isinstance(mine, gast.Name) and o.id == mine.id
               for o in others):
            return False
        return True

    def instantiate(self, template, rule, bound, y, g, module):
        repl = {}
        names = C.names_in(parse_expr(template))
        for p in rule.params:
            if p.name in names:
                repl[p.name] = bound[p.name]
        if "g" in names:
            repl["g"] = g
        if "ans" in names:
            repl["ans"] = name(self._ans or y)
        if "np" in names:
            repl["np"] = name(module) if "." not in module else parse_expr(module)
        if "rt" in names and self.rt != "rt":
            repl["rt"] = name(self.rt)
        expr = _fold(replace_expr(template, **repl))
        defaults = getattr(self.ctx.resolver, "runtime_defaults", None)
        return _DropDefaults(self.rt, defaults).visit(expr) if defaults else expr

    # -- user functions ------------------------------------------------------
    def _prepare_call(self, s, value):
        return None

    def user_contribs(self, s, y, value, res, g, out):
        args = self.bind_user(value, res)
        active = tuple(i for i, a in enumerate(args) if self.active_name(a))
        if not active:
            return []
        lists = tuple(i for i, a in enumerate(args)
                      if isinstance(a, gast.Name) and a.id in self.list_names)
        fwd, bwd = self.program.request(res, active, lists)
        saved = self.stmt_name(s, "saved", f"{res.name.strip('_')}_saved")
        s._sg_call = (fwd, saved, args)
        targets = []
        contribs = []
        for i in active:
            tmp = self.stmt_name(s, ("arg", i), f"{self.adj(args[i].id)}_{res.name.strip('_')}")
            targets.append(tmp)
            contribs.append(("dense", args[i].id, name(tmp)))
        call = gast.Call(func=name(bwd), args=[name(saved), g], keywords=[])
        if len(targets) == 1:
            out.append(assign(targets[0], call))
        else:
            tgt = gast.Tuple(elts=[name(t, "store") for t in targets], ctx=gast.Store())
            out.append(assign(tgt, call))
        return contribs

    def bind_user(self, call, res):
        fn = res.fndef
        params = [a.id for a in fn.args.args]
        n_extra = len(res.extra_args)
        own = params[: len(params) - n_extra] if n_extra else params
        defaults = fn.args.defaults
        out = [None] * len(own)
        for i, a in enumerate(call.args):
            if i >= len(own):
                raise self.info.error(call, f"too many arguments for {res.name}()")
            out[i] = a
        for kw in call.keywords:
            if kw.arg not in own:
                raise self.info.error(kw.value, f"{res.name}() has no parameter {kw.arg!r}")
            out[own.index(kw.arg)] = kw.value
        first_default = len(own) - len(defaults)
        for i in range(len(own)):
            if out[i] is None:
                if i < first_default:
                    raise self.info.error(call, f"missing argument {own[i]!r} for {res.name}()")
                d = defaults[i - first_default]
                if not isinstance(d, gast.Constant):
                    raise self.info.error(
                        call, f"the default of {own[i]!r} in {res.name}() is not a constant",
                        "pass the argument explicitly")
                out[i] = deepcopy(d)
        return out + [name(v) for v in res.extra_args]

    # -- other statements --------------------------------------------------
    def rev_setitem(self, s, target, live):
        x = target.value.id
        out = []
        v = s.value
        if x in self.active and x in live:
            self.own(x, live, out)
            part = self.rtcall("take_grad", name(self.adj(x)), _index_value(target.slice))
            if self.active_name(v):
                self.accumulate(v.id, self.rtcall("unbroadcast", part, name(v.id)), live, out)
            else:
                out.append(gast.Expr(value=part))
        return out + [Restore(s, x)]

    def rev_unpack(self, s, target, live):
        out = []
        t = s.value
        names_ = [e.id for e in target.elts]
        if self.active_name(t) and any(n in live for n in names_):
            parts = [name(self.adj(n)) if n in live else self.rtcall("zeros_like", name(n))
                     for n in names_]
            for n in names_:
                self.kill(n, live)
            expr = self.rtcall("unpack_grad", gast.List(elts=parts, ctx=gast.Load()),
                               name(t.id))
            if t.id in live:
                out.append(assign(self.adj(t.id), self.rtcall("add", name(self.adj(t.id)),
                                                             expr)))
                live[t.id] = True
            else:
                out.append(assign(self.adj(t.id), expr))
                live[t.id] = False
        else:
            for n in names_:
                self.kill(n, live)
        return out + [Restore(s, n) for n in names_]

    def rev_expr(self, s, live):
        call = s.value
        if isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute) and \
                call.func.attr == "append" and isinstance(call.func.value, gast.Name):
            lst = call.func.value.id
            out = []
            v = call.args[0]
            if lst in self.active and lst in live:
                pop = gast.Call(func=gast.Attribute(value=name(self.adj(lst)), attr="pop",
                                                    ctx=gast.Load()), args=[], keywords=[])
                if self.active_name(v):
                    self.accumulate(v.id, pop, live, out)
                else:
                    out.append(gast.Expr(value=pop))
            r = Restore(s, lst)
            r.pop_list = True
            return out + [r]
        if isinstance(call, gast.Call):
            uses = [n for n in C.names_in(call) if n in self.active]
            if uses:
                res, _ = C.call_target(call, self.ctx)
                if isinstance(res, C.UserFunction):
                    raise self.info.error(
                        s, "cannot differentiate a call whose result is not used",
                        "return the values the function computes and assign them")
        return []

    def join(self, la, lb, ca, cb):
        for v in list(la):
            if v not in lb:
                cb.append(assign(self.adj(v), self.zero(v)))
                lb[v] = True
        for v in list(lb):
            if v not in la:
                ca.append(assign(self.adj(v), self.zero(v)))
                la[v] = True
        return {v: la[v] and lb[v] for v in la}

    def rev_if(self, s, live):
        la, lb = dict(live), dict(live)
        ca = self.rev_block(s.body, la)
        cb = self.rev_block(s.orelse, lb)
        merged = self.join(la, lb, ca, cb)
        live.clear()
        live.update(merged)
        if not ca and not cb:
            return []
        return [gast.If(test=deepcopy(s.test), body=ca, orelse=cb)]

    def rev_loop_body(self, body, live):
        """Reverse a loop body so that it can run any number of times."""
        entry = dict(live)
        pre = []
        for _ in range(4):
            trial = dict(entry)
            saved_origin = self._last_origin
            code = self.rev_block(body, trial)
            self._last_origin = saved_origin
            missing = [v for v in trial if v not in entry]
            weaker = [v for v in entry if v in trial and entry[v] and not trial[v]]
            if not missing and not weaker:
                break
            for v in missing:
                entry[v] = True
                pre.append(assign(self.adj(v), self.zero(v)))
            for v in weaker:
                entry[v] = False
        else:  # pragma: no cover - the lattice is finite
            raise RuntimeError("loop adjoint analysis did not converge")
        for v in entry:
            if v not in trial:
                code.append(assign(self.adj(v), self.zero(v)))
        live.clear()
        live.update(entry)
        return pre, code

    def rev_for(self, s, live):
        pre, code = self.rev_loop_body(s.body, live)
        if not code:
            s._sg_reverse = None
            return []
        i = s.target.id
        body_assigned = set(stored_names(gast.Module(body=s.body, type_ignores=[])))
        args = s.iter.args
        invariant = all(not (isinstance(a, gast.Name) and a.id in body_assigned) for a in args)
        has_break = _has_break(s.body)
        rng = deepcopy(s.iter)
        if not invariant:
            r = self.stmt_name(s, "range", f"range_{i}")
            s._sg_range = r
            rng = name(r)
        count = None
        if has_break:
            count = self.stmt_name(s, "count", f"n_{i}")
            s._sg_count = count
            s._sg_count_init = assign(count, const(0))
            if invariant and len(args) == 1:  # range(n)[:count] is range(count)
                rng = gast.Call(func=name("range"), args=[name(count)], keywords=[])
            else:
                rng = gast.Subscript(value=rng, slice=gast.Slice(lower=None, upper=name(count),
                                                                 step=None), ctx=gast.Load())
        it = gast.Call(func=name("reversed"), args=[rng], keywords=[])
        s._sg_reverse = True
        loop = gast.For(target=name(i, "store"), iter=it, body=[LoopLocals(s)] + code,
                        orelse=[], type_comment=None)
        loop._sg_index = i
        src = getattr(s, ORIGIN, None)
        head = [comment(self.describe(src))] if src is not None else []
        self._last_origin = None
        counted = [Restore(s._sg_count_init, count)] if count else []
        return pre + head + [loop] + counted + [Restore(s, i)]

    def rev_while(self, s, live):
        pre, code = self.rev_loop_body(s.body, live)
        if not code:
            s._sg_count = None
            return []
        count = self.stmt_name(s, "count", "n_iter")
        s._sg_count = count
        s._sg_count_init = assign(count, const(0))
        loop = gast.For(target=name("_", "store"),
                        iter=gast.Call(func=name("range"), args=[name(count)], keywords=[]),
                        body=[LoopLocals(s)] + code, orelse=[], type_comment=None)
        src = getattr(s, ORIGIN, None)
        head = [comment(self.describe(src))] if src is not None else []
        self._last_origin = None
        return pre + head + [loop, Restore(s._sg_count_init, count)]

    # -- the forward sweep ---------------------------------------------------
    def fwd_block(self, stmts, maybe, must):
        out = []
        for s in stmts:
            out += self.fwd_stmt(s, maybe, must)
        return out

    def push(self, expr):
        return gast.Expr(value=gast.Call(
            func=gast.Attribute(value=name(self.tape), attr="append", ctx=gast.Load()),
            args=[expr], keywords=[]))

    def save_var(self, s, var, maybe, must, out):
        if var in self.loop_locals:
            return  # saved once per iteration, with the other locals of its loop
        if (id(s), var) in self.no_push:
            return  # the reverse sweep never reads the old value
        if var in self.needed and var in maybe:
            if var not in must:
                self.none_init.add(var)
            out.append(self.push(name(var)))
            s._sg_pushed = getattr(s, "_sg_pushed", set()) | {var}

    def fwd_stmt(self, s, maybe, must):
        out = []
        if isinstance(s, gast.Assign):
            t = s.targets[0]
            if isinstance(t, gast.Name):
                call = getattr(s, "_sg_call", None)
                if call is not None:
                    self.save_var(s, call[1], maybe, must, out)
                self.save_var(s, t.id, maybe, must, out)
                if call is not None:
                    fwd, saved, args = call
                    tgt = gast.Tuple(elts=[name(t.id, "store"), name(saved, "store")],
                                     ctx=gast.Store())
                    call_fwd = gast.Call(func=name(fwd), args=[deepcopy(a) for a in args],
                                         keywords=[])
                    out.append(assign(tgt, call_fwd))
                    maybe.add(saved)
                    must.add(saved)
                else:
                    out.append(s)
                maybe.add(t.id)
                must.add(t.id)
                return out
            if isinstance(t, gast.Subscript):
                x = t.value.id
                if x in self.needed and (id(s), x) not in self.no_push:
                    out.append(self.push(self.rtcall("save", name(x), _index_value(t.slice))))
                    s._sg_pushed = {x}
                out.append(s)
                return out
            if isinstance(t, gast.Tuple):
                for e in t.elts:
                    self.save_var(s, e.id, maybe, must, out)
                out.append(s)
                for e in t.elts:
                    maybe.add(e.id)
                    must.add(e.id)
                return out
        if isinstance(s, gast.If):
            m1, u1 = set(maybe), set(must)
            m2, u2 = set(maybe), set(must)
            body = self.fwd_block(s.body, m1, u1)
            orelse = self.fwd_block(s.orelse, m2, u2)
            maybe |= m1 | m2
            must |= u1 & u2
            new = tidy_if(gast.If(test=s.test, body=body, orelse=orelse))
            return [new] if new is not None else []
        if isinstance(s, gast.For):
            return self.fwd_for(s, maybe, must)
        if isinstance(s, gast.While):
            return self.fwd_while(s, maybe, must)
        return [s]

    def _loop_sets(self, body, maybe):
        assigned = set(stored_names(gast.Module(body=body, type_ignores=[])))
        for st in gast.walk(gast.Module(body=body, type_ignores=[])):
            if getattr(st, "_sg_call", None):
                assigned.add(st._sg_call[1])
            for attr in ("_sg_count", "_sg_range"):
                if getattr(st, attr, None):
                    assigned.add(getattr(st, attr))
        return maybe | assigned

    def fwd_for(self, s, maybe, must):
        out = []
        i = s.target.id
        if getattr(s, "_sg_reverse", None) and i in self.needed and i in maybe and \
                (id(s), i) not in self.no_push:
            out.append(self.push(name(i)))
            if i not in must:
                self.none_init.add(i)
            s._sg_pushed = {i}
        r = getattr(s, "_sg_range", None)
        it = s.iter
        if r is not None:
            out.append(assign(r, it))
            self.save_var(s, r, maybe, must, out) if False else None
            it = name(r)
        count = getattr(s, "_sg_count", None)
        inner_maybe = self._loop_sets(s.body, maybe | {i})
        body = self.save_locals(s, self.fwd_block(s.body, inner_maybe, set(must) | {i}))
        if count:
            out += self._counter_init(s, count, maybe, must)
            body = [assign(count, gast.BinOp(left=name(count), op=gast.Add(),
                                             right=const(1)))] + body
        out.append(gast.For(target=s.target, iter=it, body=body or [gast.Pass()], orelse=[],
                            type_comment=None))
        maybe |= inner_maybe
        return out

    def save_locals(self, loop, body):
        """Append the push of the loop's iteration locals (before a final break)."""
        names_ = getattr(loop, "_sg_locals", ())
        if not names_:
            return body
        value = name(names_[0]) if len(names_) == 1 else gast.Tuple(
            elts=[name(v) for v in names_], ctx=gast.Load())
        push = self.push(value)
        for k, st in enumerate(body):
            if isinstance(st, gast.If) and st.body and isinstance(st.body[0], gast.Break):
                return body[:k] + [push] + body[k:]  # every iteration gets this far
        return body + [push]

    def find_loop_locals(self):
        """Per loop, the needed variables that live only within one iteration.

        Such a variable is bound once per iteration by a top-level statement of
        the body, read only after that, and not used outside the loop.  Rather
        than saving its previous value at each overwrite, the forward sweep
        saves all of them in one tuple at the end of the iteration and the
        reverse sweep takes the tuple back at the start of the iteration.
        """
        self.loop_locals = set()
        everywhere = {}
        for n in gast.walk(self.fn):
            if isinstance(n, gast.Name):
                everywhere[n.id] = everywhere.get(n.id, 0) + 1
        loop_stores = set()
        for loop in gast.walk(self.fn):
            if isinstance(loop, (gast.For, gast.While)):
                loop_stores |= set(stored_names(loop))
                for st in gast.walk(loop):
                    for attr in ("_sg_count", "_sg_range"):
                        if getattr(st, attr, None):
                            loop_stores.add(getattr(st, attr))
        for loop in gast.walk(self.fn):
            if not isinstance(loop, (gast.For, gast.While)):
                continue
            inside = {}
            for n in gast.walk(gast.Module(body=loop.body, type_ignores=[])):
                if isinstance(n, gast.Name):
                    inside[n.id] = inside.get(n.id, 0) + 1
            header = set(C.names_in(getattr(loop, "test", None))) | set(
                stored_names(loop.target) if isinstance(loop, gast.For) else ())
            stores = {}  # rebindings; writes into an array keep the same object
            for st in gast.walk(gast.Module(body=loop.body, type_ignores=[])):
                if isinstance(st, gast.Assign):
                    for t in st.targets:
                        for v in stored_names(t) if not isinstance(t, gast.Subscript) else []:
                            stores[v] = stores.get(v, 0) + 1
            read_before = set()
            found = []
            for st in loop.body:
                if isinstance(st, gast.Assign) and isinstance(st.targets[0], gast.Name):
                    v = st.targets[0].id
                    reads = set(C.names_in(st.value))
                    local = (stores.get(v) == 1 and v not in read_before and v not in reads
                             and v not in header and inside.get(v) == everywhere.get(v))
                    call = getattr(st, "_sg_call", None)
                    if local and call is not None and call[1] in self.needed:
                        found.append(call[1])
                    if local and v in self.needed and not (
                            call is None and self._invariant(st.value, loop_stores)):
                        found.append(v)
                    elif local and v in self.needed:
                        self.loop_locals.add(v)  # the same in every iteration: no saving
                read_before |= set(C.names_in(st)) if not isinstance(st, gast.Assign) else set(
                    C.names_in(st.value)) | {n.id for t in st.targets for n in gast.walk(t)
                                             if isinstance(n, gast.Name)
                                             and isinstance(n.ctx, gast.Load)}
            loop._sg_locals = found
            self.loop_locals |= set(found)

    def _invariant(self, value, stores):
        """``value`` computes the same in every iteration of a loop storing ``stores``."""
        if not isinstance(value, (gast.BinOp, gast.UnaryOp, gast.Name, gast.Constant,
                                  gast.Attribute, gast.Compare)):
            return False
        return not any(n in stores for n in C.names_in(value))

    def _counter_init(self, s, count, maybe, must):
        out = []
        init = s._sg_count_init
        self.save_var(init, count, maybe, must, out)
        out.append(init)
        maybe.add(count)
        must.add(count)
        return out

    def fwd_while(self, s, maybe, must):
        out = []
        count = getattr(s, "_sg_count", None)
        inner_maybe = self._loop_sets(s.body, maybe)
        body = self.save_locals(s, self.fwd_block(s.body, inner_maybe, set(must)))
        if count:
            out += self._counter_init(s, count, maybe, must)
            body = [assign(count, gast.BinOp(left=name(count), op=gast.Add(),
                                             right=const(1)))] + body
        out.append(gast.While(test=s.test, body=body or [gast.Pass()], orelse=[]))
        maybe |= inner_maybe
        return out

    # -- putting it together ---------------------------------------------------
    def finalize(self, rev):
        """Replace Restore placeholders by pops where the forward sweep saved."""
        out = []
        for s in rev:
            if isinstance(s, Restore):
                out += self.restore_code(s)
                continue
            if isinstance(s, LoopLocals):
                names_ = getattr(s.loop, "_sg_locals", ())
                if names_:
                    pop = gast.Call(func=gast.Attribute(value=name(self.tape), attr="pop",
                                                        ctx=gast.Load()), args=[], keywords=[])
                    target = name(names_[0], "store") if len(names_) == 1 else gast.Tuple(
                        elts=[name(v, "store") for v in names_], ctx=gast.Store())
                    st = assign(target, pop)
                    st._sg_loop = (s.loop, tuple(names_))
                    out.append(st)
                continue
            if isinstance(s, gast.If):
                s = tidy_if(gast.If(test=s.test, body=self.finalize(s.body),
                                    orelse=self.finalize(s.orelse)))
                if s is None:
                    continue
            elif isinstance(s, gast.For):
                body = self.finalize(s.body)
                if not [b for b in body if not _is_comment(b)]:
                    if out and _is_comment(out[-1]):
                        out.pop()
                    continue
                index = getattr(s, "_sg_index", None)
                target = s.target
                if index and index not in C.names_in(gast.Module(body=body, type_ignores=[])):
                    target = name("_", "store")
                s = gast.For(target=target, iter=s.iter, body=body, orelse=[], type_comment=None)
            out.append(s)
        return _group_pops(out)

    def dead_restores(self, final):
        """Saves whose restored value the reverse sweep never reads again.

        Returns (set of (statement id, variable), {loop: names}) to stop saving.
        """
        from .aliasing import _liveness, may_share_memory

        live_after = {}
        _liveness(final, set(), live_after)
        sharing = may_share_memory(self.fn, self.ctx.locals)
        dead, dead_locals = set(), {}
        for st in gast.walk(gast.Module(body=final, type_ignores=[])):
            after = live_after.get(id(st))
            if after is None:
                continue
            restores = getattr(st, "_sg_restores", None)
            if restores is not None:
                var = restores[1]
                readers = {var}
                if isinstance(st, gast.Assign) and isinstance(st.targets[0], gast.Subscript):
                    readers |= sharing.get(var, set())  # views see the restored values
                if not readers & after:
                    dead.add((id(restores[0]), var))
            loop = getattr(st, "_sg_loop", None)
            if loop is not None:
                unused = [v for v in loop[1] if v not in after]
                if unused:
                    dead_locals[loop[0]] = unused
        return dead, dead_locals

    def restore_code(self, r):
        s, var = r.stmt, r.var
        if getattr(r, "pop_list", False):
            if var in self.needed and (id(s), var) not in self.no_push:
                st = gast.Expr(value=gast.Call(func=gast.Attribute(
                    value=name(var), attr="pop", ctx=gast.Load()), args=[], keywords=[]))
                st._sg_restores = (s, var)
                return [st]
            return []
        pushed = getattr(s, "_sg_pushed", set())
        if var not in pushed:
            return []
        pop = gast.Call(func=gast.Attribute(value=name(self.tape), attr="pop", ctx=gast.Load()),
                        args=[], keywords=[])
        t = s.targets[0] if isinstance(s, gast.Assign) else None
        if isinstance(t, gast.Subscript):
            target = gast.Subscript(value=name(var), slice=deepcopy(t.slice), ctx=gast.Store())
            st = assign(target, pop)
        else:
            st = assign(var, pop)
        st._sg_restores = (s, var)
        return [st]

    def generate(self, seed):
        """Returns (forward statements, reverse statements, live adjoints at the end)."""
        body = self.fn.body[:-1]
        ret = self.fn.body[-1]
        live = {}
        rev = []
        if isinstance(ret.value, gast.Name) and ret.value.id in self.active:
            r = ret.value.id
            if self.adj(r) != seed:
                rev.append(assign(self.adj(r), name(seed)))
            live[r] = False
        self._name_calls_in_order(body)
        rev += self.rev_block(body, live)
        self.needed = self.collect_needed(rev)
        self.tape = self.namer.new("tape")
        self.no_push = set()
        self.find_loop_locals()
        params = {a.id for a in self.fn.args.args}
        for _ in range(4):
            self._clear_pushes()
            self.none_init = set()
            self.must_end = set(params)
            fwd = self.fwd_block(body, set(params), self.must_end)
            final = self.finalize(rev)
            dead, dead_locals = self.dead_restores(final)
            if not dead and not dead_locals:
                break
            self.no_push |= dead
            for loop, unused in dead_locals.items():
                loop._sg_locals = [v for v in loop._sg_locals if v not in unused]
        rev = final
        keep = self.fn.user_names | set(self.needed) | self.loop_locals | set(C.names_in(ret))
        fwd = _drop_unused_defs(inline_temporaries(fwd, keep))
        uses_tape = any(isinstance(n, gast.Name) and n.id == self.tape
                        for s in fwd for n in gast.walk(s))
        head = []
        if uses_tape:
            head.append(assign(self.tape, gast.List(elts=[], ctx=gast.Load())))
        for v in sorted(self.none_init):
            head.append(assign(v, const(None)))
        self.uses_tape = uses_tape
        return head + fwd, rev, live

    def _name_calls_in_order(self, body):
        """Name the saved state of active user calls in source order (g_saved, g_saved2)."""
        for s in C.walk_simple(body):
            if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and \
                    isinstance(s.value, gast.Call) and s.targets[0].id in self.active:
                try:
                    res, _ = C.call_target(s.value, self.ctx)
                except Exception:  # noqa: BLE001 - reported with its location later
                    continue
                if isinstance(res, C.UserFunction):
                    self.stmt_name(s, "saved", f"{res.name.strip('_')}_saved")

    def _clear_pushes(self):
        for st in gast.walk(self.fn):
            if hasattr(st, "_sg_pushed"):
                del st._sg_pushed
            init = getattr(st, "_sg_count_init", None)
            if init is not None and hasattr(init, "_sg_pushed"):
                del init._sg_pushed

    def collect_needed(self, rev):
        needed = set()
        module = gast.Module(body=[s for s in rev if not isinstance(s, (Restore, LoopLocals))],
                             type_ignores=[])
        adjoints = set(self.namer.adjoints().values())
        for n in gast.walk(module):
            if isinstance(n, (Restore, LoopLocals)):
                continue
            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load) and \
                    n.id in self.ctx.locals and n.id not in adjoints:
                needed.add(n.id)
            for attr in ("_sg_count", "_sg_range"):
                v = getattr(n, attr, None)
                if v:
                    needed.add(v)
        # the reverse loops of for statements read their range and counter
        for st in gast.walk(self.fn):
            for attr in ("_sg_count", "_sg_range"):
                v = getattr(st, attr, None)
                if v:
                    needed.add(v)
            call = getattr(st, "_sg_call", None)
            if call:
                needed.add(call[1])
        return needed


class _Folder(gast.NodeTransformer):
    """Decide ``c if x is None else d`` when ``x`` became a constant."""

    def visit_IfExp(self, node):
        self.generic_visit(node)
        t = node.test
        if isinstance(t, gast.Compare) and len(t.ops) == 1 and isinstance(
                t.ops[0], (gast.Is, gast.IsNot)) and isinstance(t.left, gast.Constant) and \
                isinstance(t.comparators[0], gast.Constant):
            same = t.left.value is t.comparators[0].value
            if isinstance(t.ops[0], gast.IsNot):
                same = not same
            return node.body if same else node.orelse
        return node


class _Renamer(gast.NodeTransformer):
    def __init__(self, old, new):
        self.old, self.new = old, new

    def visit_Name(self, node):
        if node.id == self.old:
            return name(self.new, "store" if isinstance(node.ctx, gast.Store) else "load")
        return node


def _rename(expr, old, new):
    if isinstance(expr, tuple):
        return tuple(_rename(e, old, new) for e in expr)
    return _Renamer(old, new).visit(deepcopy(expr))


class _DropDefaults(gast.NodeTransformer):
    """``rt.sum_grad(g, x, None, False)`` -> ``rt.sum_grad(g, x)``: trailing defaults go."""

    def __init__(self, rt, defaults):
        self.rt, self.defaults = rt, defaults

    def visit_Call(self, node):
        self.generic_visit(node)
        f = node.func
        if isinstance(f, gast.Attribute) and isinstance(f.value, gast.Name) and \
                f.value.id == self.rt and not node.keywords:
            defaults = self.defaults(f.attr)
            while node.args and len(node.args) <= len(defaults):
                last = node.args[-1]
                d = defaults[len(node.args) - 1]
                if isinstance(last, gast.Constant) and d is not _NO_DEFAULT and \
                        type(last.value) is type(d) and last.value == d:
                    node.args.pop()
                else:
                    break
        return node


_NO_DEFAULT = object()


def _fold(expr):
    return _Folder().visit(expr)


def _is_comment(s):
    return isinstance(s, gast.Expr) and isinstance(s.value, gast.Constant) and isinstance(
        s.value.value, str) and s.value.value.startswith(COMMENT)


def tidy_if(s):
    """Drop an ``if`` with two empty branches; turn ``if c: pass else: B`` into ``if not c: B``."""
    if not s.body and not s.orelse:
        return None
    if not s.body:
        test = s.test
        if isinstance(test, gast.UnaryOp) and isinstance(test.op, gast.Not):
            test = test.operand
        else:
            test = gast.UnaryOp(op=gast.Not(), operand=test)
        return gast.If(test=test, body=s.orelse, orelse=[])
    return s


def _real(code):
    return any(not isinstance(c, (Restore, LoopLocals)) for c in code)


def _has_break(body):
    return any(isinstance(s, gast.If) and s.body and isinstance(s.body[0], gast.Break)
               for s in body)


def _without_comment(line):
    """A source line without its trailing ``# comment``."""
    import io
    import tokenize

    try:
        for tok in tokenize.generate_tokens(io.StringIO(line).readline):
            if tok.type == tokenize.COMMENT:
                return line[: tok.start[1]].rstrip()
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return line


def _drop_unused_defs(stmts):
    """Nested function definitions the forward sweep no longer calls."""
    used = set(C.names_in(gast.Module(body=stmts, type_ignores=[])))
    out = []
    for s in stmts:
        if isinstance(s, gast.FunctionDef) and s.name not in used:
            continue
        out.append(s)
    return out


def _index_value(idx):
    """An index usable as a runtime value: slices become ``slice(...)`` calls."""
    if isinstance(idx, gast.Slice):
        parts = [deepcopy(p) if p is not None else const(None)
                 for p in (idx.lower, idx.upper, idx.step)]
        if idx.step is None:
            parts.pop()
            if idx.lower is None:
                parts.pop(0)  # slice(None, stop) is slice(stop)
        return gast.Call(func=name("slice"), args=parts, keywords=[])
    if isinstance(idx, gast.Tuple):
        return gast.Tuple(elts=[_index_value(e) for e in idx.elts], ctx=gast.Load())
    return deepcopy(idx)


def _group_pops(stmts):
    """Merge runs of ``a = tape.pop()`` ... (kept separate: order matters)."""
    return stmts
