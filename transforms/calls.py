"""What a normalized statement reads and writes, and how calls bind to rules.

The resolver handed in by the caller decides what a call is:

- ``Primitive(rule, module)``: a function with a derivative rule; ``module``
  is the source text of the array module its templates use (``np``);
- ``UserFunction(key, ...)``: a Python function with source, differentiated too;
- ``NonDiff()``: a function whose result carries no gradient (``len``).
"""

import dataclasses

import gast

from .ast_util import dotted, name

NONDIFF_ATTRS = frozenset({"shape", "ndim", "size", "dtype", "itemsize", "nbytes", "flags"})


@dataclasses.dataclass
class Primitive:
    rule: object
    module: str = "np"


@dataclasses.dataclass
class UserFunction:
    key: object  # identifies the callee (the function object)
    fndef: object  # its gast FunctionDef
    info: object  # SourceInfo of its source
    resolver: object  # resolver for names inside the callee
    extra_args: tuple = ()  # closure variables passed explicitly (lifted defs)
    name: str = "f"


@dataclasses.dataclass
class NonDiff:
    pass


@dataclasses.dataclass
class CustomCall:
    """A function whose gradient the user supplies: ``forward`` gives ``(y, grad_fn)``.

    ``func``: the called name's source text (``clip``, ``ops.clip``);
    ``params``: its parameter names; ``name``: a short name for naming.
    """

    func: str
    params: tuple
    name: str


@dataclasses.dataclass
class Special:
    """A builtin the transformer differentiates itself (``sum``)."""

    kind: str


def bind(rule, call, info):
    """Map the rule's parameters to the call's argument atoms.

    Returns a dict param name -> expression node (a varargs parameter gets a
    Tuple node).  Missing parameters get their default from the signature.
    """
    from .ast_util import parse_expr

    params = list(rule.params)
    args = list(call.args)
    out = {}
    receiver = getattr(call, "_sg_receiver", None)
    if receiver is not None:
        args = [receiver] + args
    i = 0
    for p in params:
        if p.kind == "positional":
            if i < len(args):
                out[p.name] = args[i]
                i += 1
        elif p.kind == "varargs":
            rest = args[i:]
            i = len(args)
            if len(rest) == 1 and p.name == "shape" and rule.name.endswith("reshape"):
                out[p.name] = rest[0]
            else:
                out[p.name] = gast.Tuple(elts=rest, ctx=gast.Load())
    if i < len(args):
        raise info.error(call, f"too many arguments for {rule.name}")
    names = {p.name for p in params}
    for kw in call.keywords:
        if kw.arg not in names:
            raise info.error(kw.value, f"{rule.name} has no parameter {kw.arg!r}",
                             "check the spelling, or pass it positionally")
        out[kw.arg] = kw.value
    for p in params:
        if p.name not in out:
            if p.default is None and p.kind != "varargs":
                raise info.error(call, f"missing argument {p.name!r} for {rule.name}")
            out[p.name] = parse_expr(p.default) if p.default is not None else gast.Tuple(
                elts=[], ctx=gast.Load())
    return out


def names_in(node):
    if node is None:
        return []
    return [n.id for n in gast.walk(node) if isinstance(n, gast.Name)
            and isinstance(n.ctx, gast.Load)]


class Effects:
    """Reads and writes of one normalized statement, as seen by activity analysis."""

    def __init__(self, defs, uses):
        self.defs = defs  # names (re)bound or mutated
        self.uses = uses  # names whose value flows differentiably into defs


def call_target(call, ctx):
    """Resolve a normalized call: returns (resolution, call node for binding)."""
    resolver, info, local_names = ctx.resolver, ctx.info, ctx.locals
    func = call.func
    if isinstance(func, gast.Name) and func.id in ctx.local_functions:
        return ctx.lifted_function(func.id), call
    if isinstance(func, gast.Name) and func.id == "sum" and func.id not in local_names and \
            resolver.is_builtin("sum"):
        return Special("sum"), call
    if isinstance(func, gast.Name) and func.id in ("min", "max") and len(call.args) == 1 \
            and not call.keywords and func.id not in local_names and resolver.is_builtin(func.id):
        return Special(func.id), call
    if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and \
            func.value.id in local_names:
        rule = resolver.method_rule(func.attr)
        if rule is None and func.attr in ("pop", "insert", "remove", "extend", "sort", "clear"):
            raise info.error(
                func, f"cannot differentiate the list method '.{func.attr}()'",
                "build lists with append only, and read them by index (lst[-1], lst[i])")
        if rule is None:
            raise info.error(
                func, f"cannot differentiate the method '.{func.attr}()'",
                "call the numpy function instead "
                "(`python -m srcgrad rules` lists the supported ones)")
        bound = gast.Call(func=func, args=call.args, keywords=call.keywords)
        bound._sg_receiver = name(func.value.id)
        return Primitive(rule, resolver.array_module()), bound
    return resolver.resolve_call(func, info, local_names), call


def effects(stmt, ctx):
    """The Effects of a normalized statement; ``ctx`` has resolver, info, locals."""
    if getattr(stmt, "_sg_opaque", False):
        return Effects([], [])
    if isinstance(stmt, gast.Assign):
        target = stmt.targets[0]
        value = stmt.value
        if isinstance(target, gast.Subscript):
            return Effects([target.value.id], [target.value.id] + _local(names_in(value), ctx))
        if isinstance(target, gast.Tuple):
            return Effects([e.id for e in target.elts], _local(names_in(value), ctx))
        return Effects([target.id], _local(value_uses(value, ctx), ctx))
    if isinstance(stmt, gast.Expr):
        call = stmt.value
        if isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute) and \
                call.func.attr == "append" and isinstance(call.func.value, gast.Name):
            lst = call.func.value.id
            return Effects([lst], [lst] + _local(names_in(call.args[0]), ctx))
        if isinstance(call, gast.Call) and _is_pop(call, ctx):
            return Effects([call.func.value.id], [])
        path = dotted(call.func) if isinstance(call, gast.Call) else None
        if path and "." in path and path.split(".")[0] not in ctx.locals:
            res, bound_call = call_target(call, ctx)
            rule = getattr(res, "rule", None)
            if rule is not None and rule.inplace is not None:
                bound = bind(rule, bound_call, ctx.info)
                acc = bound[rule.inplace]
                if isinstance(acc, gast.Name):
                    uses = [n for p in diff_params(rule) for n in names_in(bound.get(p))]
                    return Effects([acc.id], _local([acc.id] + uses, ctx))
        return Effects([], [])
    return Effects([], [])


def diff_params(rule):
    """The parameters a rule differentiates: those with an adjoint, or, for a rule with a
    tangent only, those whose tangent its template reads."""
    if rule.vjp:
        return list(rule.vjp)
    if rule.jvp:
        import ast

        used = {n.id for n in ast.walk(ast.parse(rule.jvp, mode="eval"))
                if isinstance(n, ast.Name)}
        return [p.name for p in rule.params if "d" + p.name in used]
    return []


def _is_pop(call, ctx):
    """``lst.pop()`` on a local list (generated code's tapes)."""
    f = call.func
    return isinstance(f, gast.Attribute) and f.attr == "pop" and isinstance(
        f.value, gast.Name) and f.value.id in ctx.locals and not call.args


def _local(names, ctx):
    return [n for n in names if n in ctx.locals]


def value_uses(value, ctx):
    """Names in a simple expression through which a gradient can flow."""
    if isinstance(value, gast.Name):
        return [value.id]
    if isinstance(value, gast.Constant):
        return []
    if isinstance(value, gast.BinOp):
        if isinstance(value.op, gast.FloorDiv):
            return []
        return names_in(value.left) + names_in(value.right)
    if isinstance(value, gast.UnaryOp):
        if isinstance(value.op, (gast.USub, gast.UAdd)):
            return names_in(value.operand)
        return []
    if isinstance(value, (gast.Compare, gast.BoolOp, gast.JoinedStr)):
        return []
    if isinstance(value, gast.Subscript):
        return names_in(value.value)
    if isinstance(value, gast.Attribute):
        if value.attr in NONDIFF_ATTRS or dotted(value) and \
                dotted(value).split(".")[0] not in ctx.locals:
            return []
        return names_in(value.value)
    if isinstance(value, (gast.Tuple, gast.List)):
        return [n for e in value.elts for n in names_in(e)]
    if isinstance(value, gast.Call) and _is_pop(value, ctx):
        return [value.func.value.id]
    if isinstance(value, gast.Call):
        res, call = call_target(value, ctx)
        if isinstance(res, NonDiff) or (isinstance(res, Primitive) and res.rule.nondiff):
            return []
        if isinstance(res, Primitive) and res.rule.vjp:
            bound = bind(res.rule, call, ctx.info)
            return [n for p in res.rule.vjp for n in names_in(bound.get(p))]
        return [n for a in value.args for n in names_in(a)] + [
            n for k in value.keywords for n in names_in(k.value)] + list(
            getattr(res, "extra_args", ()))
    return []


def is_aux_pair(s, aux_out):
    """``s`` is ``aux_out = (loss, aux)``."""
    return isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and \
        s.targets[0].id == aux_out and isinstance(s.value, gast.Tuple)


def walk_simple(stmts):
    """Every non-compound statement, in order, descending into if/for/while."""
    for s in stmts:
        if isinstance(s, (gast.If,)):
            yield from walk_simple(s.body)
            yield from walk_simple(s.orelse)
        elif isinstance(s, (gast.For, gast.While)):
            yield from walk_simple(s.body)
        else:
            yield s


def activity(fn, wrt, ctx, aux_out=None):
    """The active variables: varied by a ``wrt`` parameter and useful to the result.

    ``aux_out``: the returned variable, a pair ``(loss, aux)`` of which only
    ``loss`` is differentiated (``has_aux``).
    """
    stmts = list(walk_simple(fn.body))
    flows = []
    for s in stmts:
        if not isinstance(s, gast.Return):
            ctx.info.current = getattr(s, "_sg_origin", None) or ctx.info.current
            if aux_out is not None and is_aux_pair(s, aux_out):
                flows.append(Effects([aux_out], _local(names_in(s.value.elts[0]), ctx)))
                continue
            flows.append(effects(s, ctx))
    varied = set(wrt)
    changed = True
    while changed:
        changed = False
        for e in flows:
            if any(u in varied for u in e.uses):
                for d in e.defs:
                    if d not in varied:
                        varied.add(d)
                        changed = True
    ret = fn.body[-1]
    useful = set(names_in(ret.value))
    changed = True
    while changed:
        changed = False
        for e in flows:
            if any(d in useful for d in e.defs):
                for u in e.uses:
                    if u not in useful:
                        useful.add(u)
                        changed = True
    _check_dropped_gradients(stmts, varied, useful, ctx)
    return varied & useful


def _check_dropped_gradients(stmts, varied, useful, ctx):
    """A varied value passed where a rule has no gradient (np.nan_to_num's ``nan``)
    would have its gradient silently dropped: that is an error."""
    for s in stmts:
        if not isinstance(s, gast.Assign) or not isinstance(s.value, gast.Call) or \
                _is_pop(s.value, ctx):
            continue
        defs = [n.id for t in s.targets for n in gast.walk(t) if isinstance(n, gast.Name)]
        if not any(n in useful for n in defs):
            continue
        ctx.info.current = getattr(s, "_sg_origin", None) or ctx.info.current
        res, call = call_target(s.value, ctx)
        if not isinstance(res, Primitive) or res.rule.nondiff:
            continue
        if None in res.rule.vjp.values():
            continue  # forward rules of runtime helpers: other arguments are shapes and masks
        bound = bind(res.rule, call, ctx.info)
        diff = diff_params(res.rule)
        for p in res.rule.params:
            arg = bound.get(p.name)
            if p.name in diff or p.name == res.rule.inplace or arg is None:
                continue
            moved = [n for n in names_in(arg) if n in varied]
            if moved:
                raise ctx.info.error(
                    arg, f"{res.rule.short}() has no derivative with respect to its argument "
                    f"{p.name!r}, and '{moved[0]}' depends on the variables being differentiated",
                    "compute that argument from values that do not depend on them")
