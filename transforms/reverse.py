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
from .copies import propagate_copies
from .diagnostics import TransformError
from .factor import factor_accumulations
from .forward import ForwardSweep
from .gather import OUTER, gather_outer_sums
from .inline import inline_temporaries
from .kinds import ValueKinds
from .linscan import vectorize_linear_loops
from .looptapes import split_loop_tapes
from .normalize import ORIGIN
from .placeholders import LoopLocals, Restore, comment, index_value
from .regions import disjoint, region
from .shapes import SCALAR, ShapeTerms, callee_terms, caller_term
from .templates import replace_expr


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


class ReverseGen(ValueKinds, ForwardSweep):
    """Builds the forward and reverse sweeps of one normalized function."""

    def __init__(self, fn, ctx, wrt, program, scalar_params=(), list_params=(),
                 has_aux=False, param_shapes=None):
        self.fn = fn
        self.ctx = ctx
        self.info = ctx.info
        self.namer = ctx.namer
        self.rt = ctx.rt
        self.program = program
        self.aux_out = _aux_out(fn, ctx.info) if has_aux else None
        self.active = C.activity(fn, wrt, ctx, self.aux_out)
        self.wrt = wrt
        self.tape = None
        self._ans = None
        self._live = {}
        self._last_origin = None
        self._killed = {}
        self._written = {}
        self.int_names = set()
        self.list_names = set()
        self.scalar_names = set(scalar_params)
        self.list_params = set(list_params)
        self._scan_kinds()
        check_aliasing(fn, ctx.info, self.scalar_names)
        shapes = ShapeTerms(fn, self.scalar_names, self.maybe_lists, self.int_names,
                            param_shapes, self._call_shape)
        self.result_shape = shapes.result

    def _call_shape(self, call):
        """What ``call`` does to shapes, for :class:`~transforms.shapes.ShapeTerms`."""
        try:
            res, bound = C.call_target(call, self.ctx)
        except TransformError:
            return None  # reported where the call is differentiated, if it ever is
        if isinstance(res, C.UserFunction):
            return lambda terms: self._user_result_shape(res, call, terms)
        if not isinstance(res, C.Primitive) or res.rule.nondiff or \
                getattr(bound, "_sg_receiver", None) is not None:
            return None
        rule = res.rule
        params = [p.name for p in rule.params]
        if len(params) >= 2 and len(call.args) == len(params) and \
                set(rule.broadcast) == set(params):
            return "broadcast"
        if rule.name == "numpy.concatenate" and len(call.args) == 1:
            return "concatenate"
        if params == ["x"] and len(call.args) == 1:
            if rule.name.startswith("math.") or rule.name == "builtins.float":
                return "scalar"
            # numpy's own one-argument functions f(x) are all elementwise (ufuncs, sinc)
            if rule.name.count(".") == 1 and rule.name.startswith("numpy.") or rule.name in (
                    "builtins.abs", "operator.abs", "operator.neg", "operator.pos"):
                return "same"
        return None

    def _user_result_shape(self, res, call, terms):
        params = self._callee_shapes(res, call, terms)
        if params is None:
            return None
        return caller_term(self.program.result_shape(res, params), self._callee_args(
            res, terms))

    def _callee_args(self, res, terms):
        own = len(res.fndef.args.args) - len(res.extra_args)
        defaults = res.fndef.args.defaults
        out = list(terms) + [None] * (own - len(terms))
        first_default = own - len(defaults)
        for i in range(len(terms), own):
            d = defaults[i - first_default] if i >= first_default else None
            if isinstance(d, gast.Constant) and isinstance(d.value, (int, float)) and \
                    not isinstance(d.value, bool):
                out[i] = SCALAR
        return out + [None] * len(res.extra_args)

    def _callee_shapes(self, res, call, terms):
        """The callee's parameter terms for a call with argument ``terms``, or None."""
        if len(terms) > len(res.fndef.args.args) - len(res.extra_args):
            return None
        return callee_terms(self._callee_args(res, terms))

    # -- static kinds of values --------------------------------------------
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
        self._written.pop(var, None)
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
            if isinstance(expr, gast.Name):
                # ``a`` is another cotangent's array now: neither may be written into
                for v, owned in list(live.items()):
                    if owned and v != var and self.adj(v) == expr.id:
                        live[v] = False

    def accumulate_list(self, var, expr, live, out):
        a = self.adj(var)
        if var in live:
            out.append(assign(a, self.rtcall("add", name(a), expr)))
            live[var] = True
        else:
            fresh = isinstance(expr, (gast.List, gast.BinOp, gast.ListComp))
            out.append(assign(a, expr if fresh else gast.Call(func=name("list"), args=[expr],
                                                                   keywords=[])))
            live[var] = True

    def _note_killed(self, s, y):
        """``y``'s cotangent name still holds the cotangent of the value ``s`` assigned."""
        result = getattr(s, "_sg_shapes", (None, None))[1]
        if result and result[0] == "shape" and result[1]:
            self._killed[y] = result

    def own(self, var, live, out):
        """Make the adjoint of ``var`` an array this sweep may write into."""
        a = self.adj(var)
        if var not in live:
            reads = getattr(self._stmt, "_sg_shapes", ({}, None))[0]
            same = self._killed.get(var) is not None and reads.get(var) == self._killed[var]
            # zeros shaped like the cotangent just retired (the same shape), so that
            # the old value need not be kept for its shape
            like = a if same else var
            out.append(assign(a, self.rtcall("zeros_like", name(like))))
        elif not live[var]:
            out.append(assign(a, self.rtcall("writable", name(a), name(var))))
        live[var] = True

    def accumulate_index(self, var, idx, g, live, out):
        fresh = var not in live  # own() is about to make zeros: the first write assigns
        self.own(var, live, out)
        a = self.adj(var)
        # later writes assign too while they fall outside everything written so far
        if fresh:
            self._written[var] = []
        regions = self._written.get(var)
        if regions is not None:
            reads = getattr(self._stmt, "_sg_shapes", ({}, None))[0]
            where = region(idx)
            size = _leading_size(reads.get(var))
            fresh = fresh or where is not None and all(
                disjoint(where, r, size) for r in regions)
            if where is None:
                del self._written[var]
            else:
                regions.append(where)
        if var in self.list_names or self._basic_index(idx):
            target = gast.Subscript(value=name(a), slice=deepcopy(idx), ctx=gast.Store())
            if var in self.list_names:
                read = gast.Subscript(value=name(a), slice=deepcopy(idx), ctx=gast.Load())
                out.append(assign(target, gast.BinOp(left=read, op=gast.Add(), right=g)))
            elif fresh:
                out.append(assign(target, g))
            else:
                out.append(gast.AugAssign(target=target, op=gast.Add(), value=g))
        else:
            out.append(gast.Expr(value=self.rtcall("add_at", name(a), index_value(idx), g)))

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
        self._written.pop(var, None)

    # -- the reverse sweep ---------------------------------------------------
    def rev_block(self, stmts, live):
        out = []
        self._killed = {}  # var -> shape term of the cotangent its adjoint name holds
        self._written = {}  # var -> regions of its fresh zero cotangent written so far
        for s in reversed(stmts):
            out += self.run_hooks(getattr(s, "_sg_hooks", ()), live)
            code = self.rev_stmt(s, live)
            if isinstance(s, (gast.If, gast.For, gast.While)):
                self._killed = {}  # known only along one straight line of statements
                self._written = {}
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
        if isinstance(src, (gast.For, gast.While, gast.If, gast.With)):
            line = line.rstrip(":")
        return f"{line}  {self.info.short_location(src)}"

    def run_hooks(self, hooks, live):
        """The bodies of ``grad_of`` blocks on a variable whose adjoint is now complete."""
        out = []
        for hook in reversed(hooks):  # several on one variable: the last one first
            var, body, src, dvar = hook._sg_hook
            if var not in live:
                continue  # no gradient reaches it: the hook has nothing to see
            out.append(comment(self.describe(src)))
            adj = self.adj(var)
            if dvar != adj:  # another block named this adjoint first
                out.append(assign(dvar, name(adj)))
            out += [deepcopy(b) for b in body]
            if dvar != adj:
                out.append(assign(adj, name(dvar)))
            live[var] = False  # the body may rebind it to anything: not ours to write into
        if out:
            self._last_origin = None
        return out

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
        self._live = live
        contribs = self.contributions(s, y, value, g, out)
        self._ans = None
        if not selfref:
            self.kill(y, live)
            self._note_killed(s, y)
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
            self._note_killed(s, y)
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
        if isinstance(value, gast.Tuple) and y == self.aux_out:
            if self.active_name(value.elts[0]):  # (loss, aux): only loss is differentiated
                res.append(("dense", value.elts[0].id, g))
            return res
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
        if isinstance(res, C.CustomCall):
            return self.custom_contribs(s, y, value, res, g, out)
        if isinstance(res, C.Primitive) and not res.rule.vjp:
            raise self.info.error(
                value, f"{res.rule.name} has a tangent rule but no adjoint",
                "register one with @srcgrad.adjoint, or use forward mode")
        if isinstance(res, C.Primitive):
            bound = C.bind(res.rule, call, self.info)
            return self.rule_contribs(res.rule, bound, y, g, res.module, out)
        return self.user_contribs(s, y, value, res, g, out)

    def rule_contribs(self, rule, bound, y, g, module, out):
        res = []
        for param, template in rule.vjp.items():
            if template is None:
                raise self.info.error(self._stmt, f"{rule.name} has no reverse-mode rule",
                                      "differentiate it in forward mode")
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
            expr = self.by_rank(self.instantiate(template, rule, bound, y, g, module))
            if p.is_list:
                res.append(("list", arg.id, expr))
                continue
            if param in rule.broadcast and self.needs_unbroadcast(rule, bound, param):
                expr = self.sum_to_shape(expr, arg.id)
            res.append(("dense", arg.id, expr))
        return res

    def by_rank(self, expr):
        """``rt.matmul_grad_a(g, a, b)`` as the product it stands for when the ranks
        of ``a`` and ``b`` are known (``g @ b.T``): no dispatch at run time."""
        if not (isinstance(expr, gast.Call) and isinstance(expr.func, gast.Attribute) and
                isinstance(expr.func.value, gast.Name) and expr.func.value.id == self.rt and
                not expr.keywords and all(isinstance(a, gast.Name) for a in expr.args)):
            return expr
        reads = getattr(self._stmt, "_sg_shapes", ({}, None))[0]
        if expr.func.attr == "concatenate_grad" and len(expr.args) == 2:
            return self.split(expr, reads.get(expr.args[1].id))
        if expr.func.attr not in _MATMUL_GRADS or len(expr.args) != 3:
            return expr
        ranks = []
        for a in expr.args[1:]:
            t = reads.get(a.id)
            if not (t and t[0] == "shape"):
                return expr
            ranks.append(len(t[1]))
        template = _MATMUL_GRADS[expr.func.attr].get(tuple(ranks))
        if template is None:
            return expr
        repl = dict(zip("gab", expr.args))
        used = C.names_in(parse_expr(template))
        out = replace_expr(template, **{k: v for k, v in repl.items() if k in used})
        if template == "g[:, None] * b":  # an outer product: see transforms/gather.py
            setattr(out, OUTER, True)
        return out

    def split(self, expr, parts):
        """``rt.concatenate_grad(g, arrays)`` as slices of ``g`` when the arrays' lengths
        are known, all but at most one: ``[g[:1], g[1:-1], g[-1:]]``."""
        if not (parts and parts[0] == "tuple" and all(
                t[0] == "shape" and t[1] for t in parts[1])):
            return expr
        sizes = [t[1][0] for t in parts[1]]
        middle = [i for i, n in enumerate(sizes) if not isinstance(n, int)]
        if len(middle) > 1:
            return expr
        m = middle[0] if middle else len(sizes)
        before = [0]
        for n in sizes[:m]:
            before.append(before[-1] + n)
        after = [0]
        for n in reversed(sizes[m + 1:]):
            after.append(after[-1] + n)
        bounds = [(before[i], before[i + 1]) for i in range(m)]
        if middle:
            bounds.append((before[m], -after[-1] if after[-1] else None))
            bounds += [(-after[k], -after[k - 1] if after[k - 1] else None)
                       for k in range(len(after) - 1, 0, -1)]
        g = expr.args[0]

        def bound(v):
            if v is None:
                return None
            return const(v) if v >= 0 else gast.UnaryOp(op=gast.USub(), operand=const(-v))

        elts = [gast.Subscript(value=deepcopy(g), slice=gast.Slice(
            lower=bound(lo) if lo else None, upper=bound(hi), step=None), ctx=gast.Load())
            for lo, hi in bounds]
        return gast.List(elts=elts, ctx=gast.Load())

    def sum_to_shape(self, expr, var):
        """``expr`` summed down to the shape of ``var``: ``g.sum(axis=0)`` where both
        shapes are known, ``rt.unbroadcast(g, var)`` otherwise."""
        reads, result = getattr(self._stmt, "_sg_shapes", ({}, None))
        mine = reads.get(var)
        target = self._stmt.targets[0] if isinstance(self._stmt, gast.Assign) else None
        if mine == SCALAR and result and result[0] == "shape" and len(result[1]) == 1 and \
                isinstance(target, gast.Name) and isinstance(expr, gast.BinOp) and \
                isinstance(expr.op, gast.Mult):
            # sum(g * y) for a scalar times a vector: one dot product, no temporary
            factors = [expr.left, expr.right]
            if all(isinstance(f, gast.Name) for f in factors) and any(
                    reads.get(f.id) == result for f in factors) and any(
                    f.id == self.adj(target.id) for f in factors):
                return gast.BinOp(left=expr.left, op=gast.MatMult(), right=expr.right)
        axes = _reduced_axes(result, mine)
        if axes is None:
            return self.rtcall("unbroadcast", expr, name(var))
        lead, keep = axes
        ax = lead or keep
        axis = const(ax[0]) if len(ax) == 1 else gast.Tuple(elts=[const(a) for a in ax],
                                                             ctx=gast.Load())
        keywords = [gast.keyword(arg="axis", value=axis)]
        if keep:
            keywords.append(gast.keyword(arg="keepdims", value=const(True)))
        return gast.Call(func=gast.Attribute(value=expr, attr="sum", ctx=gast.Load()),
                         args=[], keywords=keywords)

    def needs_unbroadcast(self, rule, bound, param):
        mine = bound[param]
        reads, result = getattr(self._stmt, "_sg_shapes", ({}, None))
        if isinstance(mine, gast.Name) and reads.get(mine.id) is not None and \
                reads[mine.id] == result:
            return False  # the result has this operand's shape: nothing to sum
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
        if getattr(rule, "globals", ()):
            self.program.rule_globals.update(rule.globals)
        defaults = getattr(self.ctx.resolver, "runtime_defaults", None)
        return _DropDefaults(self.rt, defaults).visit(expr) if defaults else expr

    # -- user functions ------------------------------------------------------
    def user_contribs(self, s, y, value, res, g, out):
        args = self.bind_user(value, res)
        active = tuple(i for i, a in enumerate(args) if self.active_name(a))
        if not active:
            return []
        lists = tuple(i for i, a in enumerate(args)
                      if isinstance(a, gast.Name) and a.id in self.list_names)
        terms = self._arg_terms(s, value)
        shapes = self._callee_shapes(res, value, terms) if terms is not None else None
        fwd, bwd = self.program.request(res, active, lists, shapes)
        saved = self.stmt_name(s, "saved", f"{res.name.strip('_')}_saved")
        s._sg_call = (fwd, saved, args)
        call = gast.Call(func=name(bwd), args=[name(saved), g], keywords=[])
        return self.receive(s, y, res, args, active, active, call, out)

    def receive(self, s, y, res, args, active, positions, call, out):
        """Assign the cotangents ``call`` returns, one per parameter in ``positions``.

        The first cotangent of an argument is received under its own adjoint
        name; the others go to a temporary and are returned as contributions.
        Positions that are not active are received as ``_``.
        """
        targets = []
        contribs = []
        ids = [args[i].id for i in active]
        for i in positions:
            if i not in active:
                targets.append("_")
                continue
            var = args[i].id
            if var not in self._live and ids.count(var) == 1 and var != y and \
                    var not in self.maybe_lists:
                targets.append(self.adj(var))
                self._live[var] = False
                continue
            tmp = self.stmt_name(s, ("arg", i), f"{self.adj(var)}_{res.name.strip('_')}")
            targets.append(tmp)
            contribs.append(("dense", var, name(tmp)))
        if len(targets) == 1:
            out.append(assign(targets[0], call))
        else:
            tgt = gast.Tuple(elts=[name(t, "store") for t in targets], ctx=gast.Store())
            out.append(assign(tgt, call))
        return contribs

    def custom_contribs(self, s, y, value, res, g, out):
        """``y = f(args)``, ``f`` a ``custom_gradient`` function: ``grad_fn`` gives the adjoints."""
        if value.keywords or len(value.args) > len(res.params):
            raise self.info.error(
                value, f"call the custom_gradient function {res.name}() with at most "
                f"{len(res.params)} positional arguments",
                "pass keyword arguments by position")
        args = list(value.args)
        active = [i for i, a in enumerate(args) if self.active_name(a)]
        if not active:
            return []
        grad_fn = self.stmt_name(s, "saved", f"{res.name.strip('_')}_grad_fn")
        fwd = gast.Attribute(value=parse_expr(res.func), attr="forward", ctx=gast.Load())
        s._sg_call = (fwd, grad_fn, args)
        call = gast.Call(func=name(grad_fn), args=[g], keywords=[])
        return self.receive(s, y, res, args, active, range(len(res.params)), call, out)

    def _arg_terms(self, s, call):
        """The shape terms of a call's positional arguments (None with keywords)."""
        if call.keywords:
            return None
        reads = getattr(s, "_sg_shapes", ({}, None))[0]
        out = []
        for a in call.args:
            if isinstance(a, gast.Constant):
                number = isinstance(a.value, (int, float)) and not isinstance(a.value, bool)
                out.append(SCALAR if number else None)
            else:
                out.append(reads.get(a.id) if isinstance(a, gast.Name) else None)
        return out

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

    def check_argument_writes(self, body, loops=()):
        """Refuse a call to a user function that writes into an array the caller reads again.

        The callee's reverse sweep undoes its own write, but the caller's
        would read the changed array where it needs the old one, and the
        cotangent of what the caller reads after the call would not pass back
        through the write: the gradient would be wrong.
        """
        for s in body:
            if isinstance(s, (gast.For, gast.While)):
                self.check_argument_writes(s.body, loops + (s,))
                continue
            if isinstance(s, gast.If):
                self.check_argument_writes(s.body, loops)
                self.check_argument_writes(s.orelse, loops)
                continue
            call = getattr(s, "value", None)
            if not isinstance(s, (gast.Assign, gast.Expr)) or not isinstance(call, gast.Call):
                continue
            try:
                res, _ = C.call_target(call, self.ctx)
            except Exception:  # noqa: BLE001 - reported with its location later
                continue
            if not isinstance(res, C.UserFunction):
                continue
            written = _written_params(res.fndef)
            if not written:
                continue
            params = [a.id for a in res.fndef.args.args]
            for p, a in zip(params, self.bind_user(call, res)):
                if p not in written or not isinstance(a, gast.Name):
                    continue
                elsewhere = _loads_of(self.fn, a.id) - _loads_of(s, a.id)
                # in a loop, the next pass calls again with the changed array
                again = loops and a.id not in stored_names(
                    gast.Module(body=loops[-1].body, type_ignores=[]))
                if elsewhere or again:
                    raise self.info.error(
                        getattr(s, ORIGIN, None) or s,
                        f"{res.name}() writes into its parameter {p!r}, which is the "
                        f"caller's {a.id!r}, and the caller reads {a.id!r} elsewhere too; "
                        "srcgrad cannot differentiate a call that changes its caller's array",
                        f"pass a copy, {res.name}({a.id}.copy()), or have {res.name}() "
                        "return the new array")

    # -- other statements --------------------------------------------------
    def rev_setitem(self, s, target, live):
        x = target.value.id
        out = []
        v = s.value
        if x in self.active and x in live:
            self.own(x, live, out)
            part = self.rtcall("take_grad", name(self.adj(x)), index_value(target.slice))
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
                if isinstance(res, (C.UserFunction, C.CustomCall)):
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
        ca = [LoopLocals(s, "_sg_locals_body")] + ca if ca else ca
        cb = [LoopLocals(s, "_sg_locals_orelse")] + cb if cb else cb
        merged = self.join(la, lb, ca, cb)
        live.clear()
        live.update(merged)
        if not ca and not cb:
            return []
        return [gast.If(test=deepcopy(s.test), body=ca, orelse=cb)]

    def rev_loop_body(self, body, live):
        """Reverse a loop body so that it can run any number of times.

        The adjoints live where a reversed iteration starts must be the same
        after the loop and after any iteration: a fixed point, found by
        reversing the body from the current guess until its end adds nothing.
        An adjoint first made by the body is zeroed before the loop (owned);
        one the body leaves shared (``live[v]`` False) is shared at the start
        too.  Each adjoint moves at most twice (absent -> owned -> shared),
        but a change may take one more pass to reach the next adjoint of a
        chain (``a`` feeds ``b`` feeds ``c``): hence the bound on passes.
        """
        entry = dict(live)
        pre = []
        rounds = 2 * len(self.active | set(entry)) + 2
        for _ in range(rounds):
            trial = dict(entry)
            saved_origin = self._last_origin
            code = self.rev_block(body, trial)
            self._last_origin = saved_origin
            missing = [v for v in trial if v not in entry]
            weaker = [v for v in entry if v in trial and entry[v] and not trial[v]]
            if not missing and not weaker:
                break
            for v in missing:
                entry[v] = True  # zeroed before the loop: ours to write into
                pre.append(assign(self.adj(v), self.zero(v)))
            for v in weaker:
                entry[v] = False
        else:  # pragma: no cover - unreachable: the changes above are bounded
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
        loop._sg_loop_of = s
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
        loop._sg_loop_of = s
        src = getattr(s, ORIGIN, None)
        head = [comment(self.describe(src))] if src is not None else []
        self._last_origin = None
        return pre + head + [loop, Restore(s._sg_count_init, count)]

    # -- the forward sweep ---------------------------------------------------
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
        self.check_argument_writes(body)
        rev += self.rev_block(body, live)
        rev += self.run_hooks(getattr(self.fn, "_sg_hooks", ()), live)
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
            for (owner, attr), unused in dead_locals.items():
                setattr(owner, attr, [v for v in getattr(owner, attr) if v not in unused])
        returned = {self.adj(v) for v in live}
        rev = factor_accumulations(propagate_copies(final, returned), returned)
        keep = self.fn.user_names | set(self.needed) | self.loop_locals | set(C.names_in(ret))
        fwd = _drop_unused_defs(inline_temporaries(fwd, keep))
        self.loop_tapes, counters = split_loop_tapes(fwd, rev, self.tape, self.namer)
        gather_outer_sums(rev, self.ctx.resolver.array_module, self.namer)
        if self._np_is_numpy():
            scalar_adjoints = {a for p, a in self.namer.adjoints().items()
                               if p in self.scalar_names}
            dropped = vectorize_linear_loops(
                fwd, rev, self.loop_tapes,
                lambda v: v in self.scalar_names or v in scalar_adjoints, self.namer, returned)
            self.loop_tapes = [v for v in self.loop_tapes if v not in dropped]
            if dropped:  # values no longer saved: the forward sweep may fold them back
                unsaved = set(dropped.values())
                fwd = _drop_unused_defs(inline_temporaries(fwd, keep - unsaved))
                self.none_init -= unsaved
        self.needed -= set(counters)
        self.none_init -= set(counters)
        uses_tape = any(isinstance(n, gast.Name) and n.id == self.tape
                        for s in fwd for n in gast.walk(s))
        head = []
        if uses_tape:
            head.append(assign(self.tape, gast.List(elts=[], ctx=gast.Load())))
        for v in sorted(self.none_init):
            head.append(assign(v, const(None)))
        self.uses_tape = uses_tape
        return head + fwd, rev, live

    def _np_is_numpy(self):
        """May generated code use ``np`` for numpy on the host (and the builtins
        ``float`` and ``len``)?  Not where the function's module binds ``np`` to
        another array module (cupy), or the function binds one of them itself."""
        check = getattr(self.ctx.resolver, "np_is_numpy", None)
        return not any(n in self.ctx.locals for n in ("np", "float", "len")) and \
            check is not None and check()

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


# the runtime's matmul cotangents, written out for known ranks of a and b
_MATMUL_GRADS = {
    "matmul_grad_a": {(2, 2): "g @ b.T", (2, 1): "g[:, None] * b", (1, 2): "b @ g",
                      (1, 1): "g * b"},
    "matmul_grad_b": {(2, 2): "a.T @ g", (2, 1): "g @ a", (1, 2): "a[:, None] * g",
                      (1, 1): "g * a"},
}


def _leading_size(term):
    """The first axis's length: an int when known, else its least possible value."""
    if term and term[0] == "shape" and term[1]:
        n = term[1][0]
        if isinstance(n, int):
            return n
        if isinstance(n, str):
            return ("at least", 2)  # symbolic sizes are 2 or more
    return ("at least", 0)


def _reduced_axes(result, operand):
    """(leading axes, size-1 axes) summed to take ``result``'s shape to ``operand``'s.

    None unless both shapes are known and exactly one of the two kinds of axes
    is needed (``g.sum(axis=0)`` or ``g.sum(axis=1, keepdims=True)``).
    """
    if not (result and operand and result[0] == "shape" and operand[0] == "shape"):
        return None
    g, x = result[1], operand[1]
    if len(x) > len(g):
        return None
    lead = tuple(range(len(g) - len(x)))
    keep = []
    for i, (gd, xd) in enumerate(zip(g[len(lead):], x), start=len(lead)):
        if gd == xd:
            continue
        if xd != 1:
            return None
        keep.append(i)
    if bool(lead) == bool(keep):
        return None
    return lead, tuple(keep)


def _written_params(fndef):
    """The parameters a function writes into (``x[i] = v``) while they still hold the
    caller's array: never rebound anywhere in it."""
    params = {a.id for a in fndef.args.args}
    rebound = set()
    written = set()
    for n in gast.walk(fndef):
        if isinstance(n, (gast.Assign, gast.AugAssign)):
            for t in n.targets if isinstance(n, gast.Assign) else [n.target]:
                if isinstance(t, gast.Subscript):
                    while isinstance(t, (gast.Subscript, gast.Attribute)):
                        t = t.value
                    if isinstance(t, gast.Name):
                        written.add(t.id)
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store):
            rebound.add(n.id)
    return (written & params) - rebound


def _loads_of(node, var):
    return sum(1 for n in gast.walk(node) if isinstance(n, gast.Name) and n.id == var
               and isinstance(n.ctx, gast.Load))


def _has_break(body):
    return any(isinstance(s, gast.If) and s.body and isinstance(s.body[0], gast.Break)
               for s in body)


def _aux_out(fn, info):
    """The variable ``f`` returns as ``(loss, aux)``, checked: ``has_aux=True`` needs one."""
    ret = fn.body[-1]
    var = ret.value.id if isinstance(ret.value, gast.Name) else None
    params = {a.id for a in fn.args.args}
    defs = [s for s in C.walk_simple(fn.body[:-1]) if var is not None and
            var in stored_names(s) and not getattr(s, "_sg_opaque", False)]
    bad = [s for s in defs if not (C.is_aux_pair(s, var) and len(s.value.elts) == 2)]
    if var is None or var in params or not defs or bad:
        where = bad[0] if bad else ret
        where = getattr(where, ORIGIN, None) or where
        raise info.error(where, "with has_aux=True the function must return a pair",
                         "write `return loss, aux`: loss is differentiated, aux is passed "
                         "through")
    return var


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
