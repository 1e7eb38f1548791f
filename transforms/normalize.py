"""Normalization: A-normal form and desugaring.

Requires: a parsed function (``parser.parse_function``).
Guarantees, for the returned function body:

- every statement is one of
  ``y = simple``, ``x[idx] = atom``, ``a, b = atom`` (unpack),
  ``lst.append(atom)``, ``if atom: ...``, ``for i in range(atoms): ...``,
  ``while atom: ...``, ``if flag: break`` (last in a loop body),
  an opaque statement (``print``, ``assert``, ``raise``),
  and a single ``return atom`` as the last statement;
- ``simple`` is an atom (a name, a constant, or a dotted global such as
  ``np.pi``), a unary or binary operation, comparison, call, attribute,
  subscript or tuple/list display whose operands are atoms;
- ``continue``, ``break`` inside nested ``if``, early ``return``, ``for``
  over anything but ``range``, ``while`` tests, comprehensions, ``and``/``or``,
  conditional expressions and augmented assignment are rewritten away.

Each statement carries the user's statement it came from in ``ORIGIN`` so the
generated code can quote it.

>>> from srcgrad.transforms.parser import parse_source
>>> fn, info = parse_source("def f(x):\\n    return np.sum(np.tanh(x) * 2)\\n")
>>> from srcgrad.transforms.ast_util import unparse
>>> print(unparse(normalize(fn, info).body))
tanh_x = np.tanh(x)
two_tanh_x = tanh_x * 2
out = np.sum(two_tanh_x)
return out
"""

import gast

from . import hooks
from .ast_util import assign, const, dotted, is_atom, name, stored_names
from .naming import Namer

ORIGIN = "_sg_origin"
OPAQUE = "_sg_opaque"  # statement kept verbatim, never differentiated

_BINOP_WORD = {
    gast.Add: "plus",
    gast.Sub: "minus",
    gast.Div: "over",
    gast.FloorDiv: "fdiv",
    gast.Mod: "mod",
    gast.Pow: "pow",
}
_CONST_WORD = {0: "zero", 1: "one", 2: "two", 0.5: "half"}
_BINOP_NOUN = {gast.Add: "sum", gast.Sub: "diff", gast.Mult: "prod", gast.Div: "ratio",
               gast.Pow: "power", gast.MatMult: "prod", gast.Mod: "rem", gast.FloorDiv: "quot"}
_OP_SYMBOL = {gast.Add: "+", gast.Sub: "-", gast.Mult: "*", gast.Div: "/", gast.Pow: "**",
              gast.MatMult: "@", gast.FloorDiv: "//", gast.Mod: "%"}


def _bound(node, default):
    """A slice bound as a name part: ``1``, ``m1`` for -1, the variable's name."""
    if node is None:
        return default
    if isinstance(node, gast.Constant) and isinstance(node.value, int):
        return str(node.value) if node.value >= 0 else f"m{-node.value}"
    if isinstance(node, gast.Name):
        return node.id
    return None


def _set_origin(stmts, src):
    for s in stmts:
        if getattr(s, ORIGIN, None) is None:
            setattr(s, ORIGIN, src)
    return stmts


def _contains(stmts, kinds, into_loops):
    for s in stmts:
        if isinstance(s, kinds):
            return True
        if isinstance(s, gast.If):
            if _contains(s.body, kinds, into_loops) or _contains(s.orelse, kinds, into_loops):
                return True
        if into_loops and isinstance(s, (gast.For, gast.While)):
            if _contains(s.body, kinds, into_loops):
                return True
    return False


class Normalizer:
    def __init__(self, info, namer=None, local_names=()):
        self.info = info
        self.namer = namer or Namer()
        self.locals = set(local_names)
        self.lifted = []  # nested function definitions, lifted out
        self.ret_name = None
        self.params = set()
        self.top_hooks = []  # grad_of blocks on parameters, run at the end of the sweep
        self.hook_names = {}  # the ``as`` name of each grad_of block -> its variable
        self.loop_depth = 0
        self.branch_depth = 0

    # -- errors ----------------------------------------------------------
    def error(self, node, message, hint=""):
        return self.info.error(node, message, hint)

    # -- expressions -----------------------------------------------------
    def hint(self, node):
        if isinstance(node, gast.Name):
            return node.id
        if isinstance(node, gast.Constant):
            return _CONST_WORD.get(node.value, "c") if isinstance(node.value, (int, float)) else "c"
        if isinstance(node, gast.Call):
            func = node.func
            fn = func.attr if isinstance(func, gast.Attribute) else dotted(func) or "f"
            if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and \
                    func.value.id in self.locals:
                return f"{func.value.id}_{fn}"
            arg = self.hint(node.args[0]) if node.args else ""
            return f"{fn}_{arg}" if arg else fn
        if isinstance(node, gast.BinOp):
            left, right = self.hint(node.left), self.hint(node.right)
            if isinstance(node.op, gast.Mult) and isinstance(node.left, gast.Constant):
                full = f"{left}_{right}"
            elif isinstance(node.op, gast.Mult) and isinstance(node.right, gast.Constant):
                full = f"{right}_{left}"
            elif isinstance(node.op, (gast.Mult, gast.MatMult)):
                full = f"{left}{right}" if len(left) <= 3 and len(right) <= 3 else \
                    f"{left}_{right}"
            else:
                full = f"{left}_{_BINOP_WORD.get(type(node.op), 'op')}_{right}"
            if len(full) <= 20:
                return full
            # a long expression: name it by what it is, and its first operand
            noun = _BINOP_NOUN.get(type(node.op), "value")
            first = left if not isinstance(node.left, gast.Constant) else right
            return f"{noun}_{first.split('_')[0]}" if not first.startswith(noun) else first
        if isinstance(node, gast.UnaryOp):
            return "neg_" + self.hint(node.operand)
        if isinstance(node, gast.Subscript):
            base = self.hint(node.value)
            idx = node.slice
            if isinstance(idx, gast.Name):
                return f"{base}_{idx.id}"
            if isinstance(idx, gast.Constant) and isinstance(idx.value, int):
                return f"{base}_{idx.value}" if idx.value >= 0 else f"{base}_last"
            if isinstance(idx, gast.Slice) and idx.step is None:
                lo, hi = _bound(idx.lower, "0"), _bound(idx.upper, "end")
                if lo is not None and hi is not None:
                    return f"{base}_{lo}_{hi}"
            return f"{base}_part"
        if isinstance(node, gast.Attribute):
            return f"{self.hint(node.value)}_{node.attr}"
        if isinstance(node, gast.Compare):
            return "cond"
        return "t"

    def is_atom(self, node):
        if is_atom(node):
            return True
        d = dotted(node)
        return d is not None and d.split(".")[0] not in self.locals

    def atom(self, node, hint=None):
        """Flatten ``node``; returns (statements, atom)."""
        if self.is_atom(node):
            return [], node
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
            if isinstance(node.operand, gast.Constant) and isinstance(
                node.operand.value, (int, float)
            ):
                return [], const(-node.operand.value)
        stmts, simple = self.simple(node)
        if self.is_atom(simple):
            return stmts, simple
        tmp = self.namer.new(hint or self.hint(simple))
        self.locals.add(tmp)
        stmts.append(assign(tmp, simple))
        return stmts, name(tmp)

    def atoms(self, nodes):
        stmts, out = [], []
        for n in nodes:
            s, a = self.atom(n)
            stmts += s
            out.append(a)
        return stmts, out

    def simple(self, node):
        """Flatten ``node`` one level; returns (statements, simple expression)."""
        if self.is_atom(node):
            return [], node
        meth = getattr(self, "simple_" + type(node).__name__, None)
        if meth is None:
            raise self.error(
                node,
                f"cannot differentiate a {type(node).__name__} expression",
                "rewrite it with plain assignments, loops and calls",
            )
        stmts, simple = meth(node)
        if getattr(simple, "lineno", None) is None and getattr(node, "lineno", None):
            gast.copy_location(simple, node)
        return stmts, simple

    def simple_BinOp(self, node):
        if isinstance(node.op, gast.Pow) and isinstance(node.left, gast.UnaryOp):
            # (-2.0) ** x: a folded constant would unparse as -2.0 ** x
            s1, simple = self.simple_UnaryOp(node.left)
            tmp = self.namer.new("c")
            self.locals.add(tmp)
            s1.append(assign(tmp, simple))
            s2, right = self.atom(node.right)
            return s1 + s2, gast.BinOp(left=name(tmp), op=node.op, right=right)
        s1, left = self.atom(node.left)
        s2, right = self.atom(node.right)
        return s1 + s2, gast.BinOp(left=left, op=node.op, right=right)

    def simple_UnaryOp(self, node):
        s, operand = self.atom(node.operand)
        return s, gast.UnaryOp(op=node.op, operand=operand)

    def simple_Compare(self, node):
        s, atoms = self.atoms([node.left] + node.comparators)
        return s, gast.Compare(left=atoms[0], ops=node.ops, comparators=atoms[1:])

    def simple_Call(self, node):
        stmts = []
        func = node.func
        if isinstance(func, gast.Attribute) and dotted(func) is None or (
            isinstance(func, gast.Attribute)
            and dotted(func)
            and dotted(func).split(".")[0] in self.locals
        ):
            s, recv = self.atom(func.value)
            stmts += s
            func = gast.copy_location(gast.Attribute(value=recv, attr=func.attr, ctx=gast.Load()),
                                      func)
        elif not isinstance(func, (gast.Name, gast.Attribute)):
            raise self.error(node, "cannot differentiate a call through an expression",
                             "assign the function to a name first, or call it directly")
        if isinstance(func, gast.Name) and func.id in ("min", "max") and len(node.args) > 2 \
                and not node.keywords and func.id not in self.locals:
            inner = gast.Call(func=func, args=node.args[:-1], keywords=[])
            node = gast.Call(func=func, args=[inner, node.args[-1]], keywords=[])
        for a in node.args:
            if isinstance(a, gast.Starred):
                raise self.error(a, "cannot differentiate a call with *args",
                                 "pass the arguments one by one")
        s, args = self.atoms(node.args)
        stmts += s
        keywords = []
        for kw in node.keywords:
            if kw.arg is None:
                raise self.error(kw.value, "cannot differentiate a call with **kwargs",
                                 "pass the keyword arguments one by one")
            s, v = self.atom(kw.value)
            stmts += s
            keywords.append(gast.keyword(arg=kw.arg, value=v))
        return stmts, gast.Call(func=func, args=args, keywords=keywords)

    def simple_Attribute(self, node):
        s, value = self.atom(node.value)
        return s, gast.Attribute(value=value, attr=node.attr, ctx=gast.Load())

    def index(self, node):
        if isinstance(node, gast.Slice):
            stmts, parts = [], []
            for p in (node.lower, node.upper, node.step):
                if p is None:
                    parts.append(None)
                else:
                    s, a = self.atom(p)
                    stmts += s
                    parts.append(a)
            return stmts, gast.Slice(lower=parts[0], upper=parts[1], step=parts[2])
        if isinstance(node, gast.Tuple):
            stmts, elts = [], []
            for e in node.elts:
                s, a = self.index(e)
                stmts += s
                elts.append(a)
            return stmts, gast.Tuple(elts=elts, ctx=gast.Load())
        return self.atom(node)

    def simple_Subscript(self, node):
        s1, value = self.atom(node.value)
        s2, idx = self.index(node.slice)
        return s1 + s2, gast.Subscript(value=value, slice=idx, ctx=gast.Load())

    def simple_Tuple(self, node):
        for e in node.elts:
            if isinstance(e, gast.Starred):
                raise self.error(e, "cannot differentiate a starred element",
                                 "build the tuple element by element")
        s, elts = self.atoms(node.elts)
        return s, type(node)(elts=elts, ctx=gast.Load())

    simple_List = simple_Tuple

    def simple_IfExp(self, node):
        tmp = self.namer.new("t")
        self.locals.add(tmp)
        s, test = self.atom(node.test, "cond")
        sb, b = self.simple(node.body)
        so, o = self.simple(node.orelse)
        stmt = gast.If(test=test, body=sb + [assign(tmp, b)], orelse=so + [assign(tmp, o)])
        return s + [stmt], name(tmp)

    def simple_BoolOp(self, node):
        """``a and b`` evaluates ``b`` only when ``a`` is true; ``a or b`` when false.

        The ``if`` tests a name that its branches never reassign, so the
        reverse sweep can re-test it.
        """
        result = self.namer.new("cond")
        self.locals.add(result)
        return self._boolop(node.op, node.values, result), name(result)

    def _boolop(self, op, values, result):
        stmts, first = self.atom(values[0], "cond")
        if len(values) == 1:
            return stmts + [assign(result, first)]
        rest = self._boolop(op, values[1:], result)
        keep = [assign(result, _copy(first))]
        if isinstance(op, gast.And):
            return stmts + [gast.If(test=first, body=rest, orelse=keep)]
        return stmts + [gast.If(test=first, body=keep, orelse=rest)]

    def simple_ListComp(self, node):
        tmp = self.namer.new("items")
        self.locals.add(tmp)
        body = [gast.Expr(value=gast.Call(
            func=gast.Attribute(value=name(tmp), attr="append", ctx=gast.Load()),
            args=[node.elt], keywords=[]))]
        for gen in reversed(node.generators):
            for cond in reversed(gen.ifs):
                body = [gast.If(test=cond, body=body, orelse=[])]
            body = [gast.For(target=gen.target, iter=gen.iter, body=body, orelse=[],
                             type_comment=None)]
        for st in body:
            for sub in gast.walk(st):
                if getattr(sub, "lineno", None) is None:
                    gast.copy_location(sub, node)
        stmts = [assign(tmp, gast.List(elts=[], ctx=gast.Load()))]
        stmts += self.block(body)
        return stmts, name(tmp)

    simple_GeneratorExp = simple_ListComp

    def simple_Yield(self, node):
        raise self.error(node, "cannot differentiate a generator (a function with yield)",
                         "build and return a list instead")

    simple_YieldFrom = simple_Yield

    def simple_Lambda(self, node):
        raise self.error(node, "cannot differentiate a lambda used as a value",
                         "define the function with def")

    def simple_JoinedStr(self, node):
        return [], node

    # -- statements ------------------------------------------------------
    def block(self, stmts):
        out = []
        self.block_depth = getattr(self, "block_depth", 0) + 1
        try:
            for s in stmts:
                new = self.stmt(s)
                if len(new) == 1 and getattr(new[0], "_sg_hook", None) is not None:
                    top = self.block_depth == 1
                    if hooks.attach(new[0], out, self.params if top else (), self.info):
                        self.top_hooks.append(new[0])
                out += new
        finally:
            self.block_depth -= 1
        return out

    def stmt_With(self, s):
        if not hooks.is_hook(s):
            raise self.error(s, "cannot differentiate a 'With' statement",
                             _STMT_HINTS["With"] + " (srcgrad.grad_of blocks are the exception)")
        return [hooks.marker(s, self.info, self.namer, self.hook_names)]

    def stmt(self, s):
        meth = getattr(self, "stmt_" + type(s).__name__, None)
        if meth is None:
            raise self.error(
                s,
                f"cannot differentiate a '{type(s).__name__}' statement",
                _STMT_HINTS.get(type(s).__name__, "rewrite the function without it"),
            )
        return _set_origin(meth(s), s)

    def stmt_Pass(self, s):
        return []

    def stmt_Expr(self, s):
        v = s.value
        if isinstance(v, gast.Constant):
            return []  # docstring
        if isinstance(v, (gast.Yield, gast.YieldFrom)):
            self.simple_Yield(v)
        if isinstance(v, gast.Call):
            func = v.func
            if isinstance(func, gast.Name) and func.id == "print":
                setattr(s, OPAQUE, True)
                return [s]
            if (isinstance(func, gast.Attribute) and func.attr == "append"
                    and isinstance(func.value, gast.Name) and len(v.args) == 1):
                st, a = self.atom(v.args[0])
                return st + [gast.Expr(value=gast.Call(func=func, args=[a], keywords=[]))]
            stmts, call = self.simple_Call(v)
            return stmts + [gast.Expr(value=call)]
        raise self.error(s, "an expression statement has no effect here",
                         "assign its value to a name, or remove it")

    def stmt_Assert(self, s):
        setattr(s, OPAQUE, True)
        return [s]

    def stmt_Raise(self, s):
        setattr(s, OPAQUE, True)
        return [s]

    def stmt_AnnAssign(self, s):
        if s.value is None:
            return []
        return self.stmt_Assign(gast.Assign(targets=[s.target], value=s.value, type_comment=None))

    def stmt_Assign(self, s):
        targets = s.targets
        first = targets[0]
        out = []
        if isinstance(first, gast.Name) and len(targets) == 1 and isinstance(s.value, gast.Lambda):
            fdef = gast.FunctionDef(name=first.id, args=s.value.args,
                                    body=[gast.Return(value=s.value.body)], decorator_list=[],
                                    returns=None, type_comment=None, type_params=[])
            gast.copy_location(fdef, s)
            gast.copy_location(fdef.body[0], s.value)
            return self.stmt_FunctionDef(fdef)
        if isinstance(first, gast.Name) and len(targets) == 1:
            self.locals.add(first.id)
            stmts, simple = self.simple(s.value)
            return stmts + self.store(first.id, simple)
        if len(targets) == 1 and isinstance(first, (gast.Tuple, gast.List)) and isinstance(
            s.value, (gast.Tuple, gast.List)
        ):
            return self.parallel(first, s.value)
        stmts, value = self.atom(s.value)
        out += stmts
        for t in targets:
            out += self.bind(t, value)
        return out

    def store(self, target, simple):
        """``target = simple`` (the reverse sweep copes with ``x = x + y``)."""
        return [assign(target, simple)]

    def parallel(self, target, value):
        stars = [i for i, e in enumerate(target.elts) if isinstance(e, gast.Starred)]
        if len(stars) == 1 and not any(isinstance(e, gast.Starred) for e in value.elts):
            i = stars[0]
            n_after = len(target.elts) - i - 1
            if len(value.elts) < len(target.elts) - 1:
                raise self.error(target, "cannot unpack: too few values on the right")
            middle = value.elts[i:len(value.elts) - n_after]
            elts = value.elts[:i] + [gast.List(elts=middle, ctx=gast.Load())] + \
                value.elts[len(value.elts) - n_after:]
            targets = target.elts[:i] + [target.elts[i].value] + target.elts[i + 1:]
            target = gast.Tuple(elts=targets, ctx=gast.Store())
            value = gast.Tuple(elts=elts, ctx=gast.Load())
        if len(target.elts) != len(value.elts):
            raise self.error(target, "cannot unpack: the two sides have different lengths")
        stmts, atoms = self.atoms(value.elts)
        safe = []
        assigned = set()
        for t, a in zip(target.elts, atoms):
            if isinstance(a, gast.Name) and a.id in assigned:
                tmp = self.namer.new(a.id + "_old")
                self.locals.add(tmp)
                stmts.append(assign(tmp, name(a.id)))
                a = name(tmp)
            safe.append(a)
            assigned |= set(stored_names(t))
        for t, a in zip(target.elts, safe):
            stmts += self.bind(t, a)
        return stmts

    def bind(self, target, value):
        """Statements that store the atom ``value`` into ``target``."""
        if isinstance(target, gast.Name):
            self.locals.add(target.id)
            return [assign(target.id, value)]
        if isinstance(target, (gast.Tuple, gast.List)):
            for e in target.elts:
                if isinstance(e, gast.Starred):
                    raise self.error(e, "cannot differentiate starred unpacking",
                                     "index the sequence explicitly")
            if all(isinstance(e, gast.Name) for e in target.elts):
                for e in target.elts:
                    self.locals.add(e.id)
                names = [name(e.id, "store") for e in target.elts]
                return [assign(gast.Tuple(elts=names, ctx=gast.Store()), value)]
            out = []
            for i, e in enumerate(target.elts):
                tmp = self.namer.new(f"{self.hint(value)}_{i}")
                self.locals.add(tmp)
                out.append(assign(tmp, gast.Subscript(value=value, slice=const(i),
                                                      ctx=gast.Load())))
                out += self.bind(e, name(tmp))
            return out
        if isinstance(target, gast.Subscript):
            if not isinstance(target.value, gast.Name):
                raise self.error(
                    target,
                    "cannot differentiate a write through a nested subscript or attribute",
                    "index the array once, e.g. x[i, j] = v instead of x[i][j] = v",
                )
            stmts, idx = self.index(target.slice)
            return stmts + [assign(gast.Subscript(value=name(target.value.id), slice=idx,
                                                  ctx=gast.Store()), value)]
        raise self.error(target, "cannot differentiate an assignment to this target",
                         "assign to a name or to an array element")

    def stmt_AugAssign(self, s):
        t = s.target
        if isinstance(t, gast.Name):
            stmts, value = self.atom(s.value)
            self.locals.add(t.id)
            update = self.store(t.id, gast.BinOp(left=name(t.id), op=s.op, right=value))
            update[-1]._sg_augmented = _OP_SYMBOL.get(type(s.op), "?")
            return stmts + update
        if isinstance(t, gast.Subscript) and isinstance(t.value, gast.Name):
            stmts, idx = self.index(t.slice)
            s2, value = self.atom(s.value)
            stmts += s2
            read = gast.Subscript(value=name(t.value.id), slice=idx, ctx=gast.Load())
            part = self.namer.new(self.hint(read))
            self.locals.add(part)
            stmts.append(assign(part, read))
            new = self.namer.new(part + "_new")
            self.locals.add(new)
            stmts.append(assign(new, gast.BinOp(left=name(part), op=s.op, right=value)))
            write = gast.Subscript(value=name(t.value.id), slice=gast.copy_location(idx, idx)
                                   if False else _copy(idx), ctx=gast.Store())
            stmts.append(assign(write, name(new)))
            return stmts
        raise self.error(s, "cannot differentiate an augmented assignment to this target",
                         "use a name or an array element as the target")

    def stmt_If(self, s):
        stmts, test = self.atom(s.test, "cond")
        if isinstance(test, gast.Name) and test.id in set(
            stored_names(gast.Module(body=s.body + s.orelse, type_ignores=[]))
        ):
            tmp = self.namer.new("cond")
            self.locals.add(tmp)
            stmts.append(assign(tmp, test))
            test = name(tmp)
        self.branch_depth += 1
        body = self.block(s.body)
        orelse = self.block(s.orelse)
        self.branch_depth -= 1
        return stmts + [gast.If(test=test, body=body, orelse=orelse)]

    def stmt_For(self, s):
        stmts, rng, prologue = self.loop_iter(s)
        body = prologue + self.block(s.body)
        loop = gast.For(target=name(rng[0], "store"), iter=rng[1], body=body, orelse=[],
                        type_comment=None)
        setattr(loop, ORIGIN, s)
        return stmts + self.finish_loop(loop, s.orelse)

    def loop_iter(self, s):
        """The range a ``for`` loop runs over, and the statements binding its target.

        ``for i in range(...)`` stays as it is.  Any other loop becomes a loop
        over the indices of its sequence: ``for x in xs`` reads ``x = xs[k]``,
        and ``zip``, ``enumerate`` and ``reversed`` (nested in any way) read
        their parts at the same index.
        """
        it, target = s.iter, s.target
        if self._builtin_call(it, "range") and isinstance(target, gast.Name):
            stmts, args = self.atoms(it.args)
            self.locals.add(target.id)
            return stmts, (target.id, gast.Call(func=name("range"), args=args, keywords=[])), []
        if self._builtin_call(it, "reversed") and len(it.args) == 1 and self._builtin_call(
                it.args[0], "range") and len(it.args[0].args) == 1 and isinstance(target,
                                                                                  gast.Name):
            stmts, n = self.atom(it.args[0].args[0])
            s2, last = self.atom(gast.BinOp(left=n, op=gast.Sub(), right=const(1)), "last")
            self.locals.add(target.id)
            return stmts + s2, (target.id, gast.Call(
                func=name("range"), args=[last, const(-1), const(-1)], keywords=[])), []
        stmts, n, element = self.sequence(it)
        k = self.namer.new("k")
        self.locals.add(k)
        body_stmts, parts = element(name(k))
        return stmts, (k, _range(n)), body_stmts + self.bind_parts(target, parts)

    def _builtin_call(self, node, fname):
        return (isinstance(node, gast.Call) and isinstance(node.func, gast.Name)
                and node.func.id == fname and fname not in self.locals
                and all(kw.arg == "strict" for kw in node.keywords))

    def sequence(self, it):
        """(setup statements, length atom, element function) for an iterable.

        ``element(k)`` returns (statements, parts): parts is an expression for
        the element at index ``k``, or a tuple of parts for zip and enumerate.
        """
        if self._builtin_call(it, "zip") and it.args:
            plans = [self.sequence(a) for a in it.args]
            stmts = [st for p in plans for st in p[0]]
            n = plans[0][1]
            for other in plans[1:]:
                shortest = self.namer.new("n")
                self.locals.add(shortest)
                stmts.append(assign(shortest, gast.Call(func=name("min"),
                                                        args=[n, other[1]], keywords=[])))
                n = name(shortest)

            def element(k):
                out, parts = [], []
                for p in plans:
                    st, part = p[2](k)
                    out += st
                    parts.append(part)
                return out, tuple(parts)

            return stmts, n, element
        if self._builtin_call(it, "enumerate") and 1 <= len(it.args) <= 2:
            stmts, n, inner = self.sequence(it.args[0])
            start = None
            if len(it.args) == 2:
                s2, start = self.atom(it.args[1])
                stmts += s2

            def element(k):
                st, part = inner(k)
                if start is None:
                    return st, (k, part)
                idx = self.namer.new("index")
                self.locals.add(idx)
                shifted = assign(idx, gast.BinOp(left=k, op=gast.Add(), right=_copy(start)))
                return [shifted] + st, (name(idx), part)

            return stmts, n, element
        if self._builtin_call(it, "reversed") and len(it.args) == 1:
            stmts, n, inner = self.sequence(it.args[0])
            last = self.namer.new("last")
            self.locals.add(last)
            stmts.append(assign(last, gast.BinOp(left=_copy(n), op=gast.Sub(), right=const(1))))

            def element(k):
                j = self.namer.new("j")
                self.locals.add(j)
                st, part = inner(name(j))
                flip = assign(j, gast.BinOp(left=name(last), op=gast.Sub(), right=k))
                return [flip] + st, part

            return stmts, n, element
        stmts, seq = self.atom(it, "seq")
        s2, n = self.length(seq)

        def element(k):
            return [], gast.Subscript(value=_copy(seq), slice=_copy(k), ctx=gast.Load())

        return stmts + s2, n, element

    def bind_parts(self, target, parts):
        """Statements binding ``target`` to the parts of a sequence element."""
        if isinstance(parts, tuple):
            if isinstance(target, (gast.Tuple, gast.List)) and len(target.elts) == len(parts):
                out = []
                for t, p in zip(target.elts, parts):
                    out += self.bind_parts(t, p)
                return out
            out, atoms = [], []
            for p in parts:
                st, a = self.atom(self._parts_expr(p))
                out += st
                atoms.append(a)
            tmp = self.namer.new("item")
            self.locals.add(tmp)
            out.append(assign(tmp, gast.Tuple(elts=atoms, ctx=gast.Load())))
            return out + self.bind(target, name(tmp))
        if isinstance(target, gast.Name):
            self.locals.add(target.id)
            if isinstance(parts, gast.Name) and parts.id == target.id:
                return []
            return [assign(target.id, parts)]
        st, a = self.atom(parts)
        return st + self.bind(target, a)

    def _parts_expr(self, p):
        if isinstance(p, tuple):
            return gast.Tuple(elts=[self._parts_expr(q) for q in p], ctx=gast.Load())
        return p

    def length(self, seq):
        n = self.namer.new("n_" + (seq.id if isinstance(seq, gast.Name) else "seq"))
        self.locals.add(n)
        return [assign(n, gast.Call(func=name("len"), args=[seq], keywords=[]))], name(n)

    def stmt_While(self, s):
        cond = self.namer.new("cond")
        self.locals.add(cond)
        stmts, test = self.simple(s.test)
        head = stmts + [assign(cond, test)]
        body = self.block(s.body)
        again, test2 = self.simple(s.test)
        tail = again + [assign(cond, test2)]
        _set_origin(tail, s)
        loop = gast.While(test=name(cond), body=body + tail, orelse=[])
        setattr(loop, ORIGIN, s)
        return _set_origin(head, s) + self.finish_loop(loop, s.orelse)

    def finish_loop(self, loop, orelse):
        """Lower break/continue in ``loop``'s body; add the ``else`` clause."""
        body = loop.body
        has_break = _contains(body, gast.Break, False)
        has_continue = _contains(body, gast.Continue, False)
        flag = None
        pre = []
        if has_break:
            flag = self.namer.new("stop")
            self.locals.add(flag)
            pre.append(assign(flag, const(False)))
            _set_origin(pre, loop)
        tail = []
        if isinstance(loop, gast.While):
            # the test re-evaluation stays last, after the lowered body
            n_tail = _while_tail_len(body)
            body, tail = body[: len(body) - n_tail], body[len(body) - n_tail:]
        if has_break or has_continue:
            body, _ = self.lower_exits(body, flag)
        if has_break:
            brk = gast.If(test=name(flag), body=[gast.Break()], orelse=[])
            setattr(brk, ORIGIN, getattr(loop, ORIGIN, None))
            body = body + [brk]
        loop.body = body + tail
        out = pre + [loop]
        if orelse:
            else_body = self.block(orelse)
            if has_break:
                neg = self.namer.new("no_" + flag)
                self.locals.add(neg)
                out.append(_set_origin(
                    [assign(neg, gast.UnaryOp(op=gast.Not(), operand=name(flag)))], loop)[0])
                out.append(gast.If(test=name(neg), body=else_body, orelse=[]))
            else:
                out += else_body
        return out

    def lower_exits(self, stmts, flag):
        """Rewrite ``break``/``continue`` (innermost loop only) into structured code.

        The statements after an ``if`` that may leave the iteration move into
        the paths that fall through it.  Returns (statements, whether every
        path leaves the iteration).
        """
        out = []
        for k, s in enumerate(stmts):
            if isinstance(s, gast.Break):
                out += _set_origin([assign(flag, const(True))], s)
                return out, True
            if isinstance(s, gast.Continue):
                return out, True
            if isinstance(s, gast.If) and _contains([s], (gast.Break, gast.Continue), False):
                rest = stmts[k + 1:]
                body, a = self.lower_exits(s.body + _copy(rest), flag)
                orelse, b = self.lower_exits(s.orelse + _copy(rest), flag)
                out.append(_clone_if(s, body, orelse))
                return out, a and b
            out.append(s)
        return out, False

    def stmt_Break(self, s):
        return [s]

    def stmt_Continue(self, s):
        return [s]

    def stmt_Return(self, s):
        if s.value is None:
            return [assign(self.ret_name, const(None)), gast.Return(value=name(self.ret_name))]
        stmts, value = self.simple(s.value)
        if isinstance(value, gast.Name) and not (self.loop_depth or self.branch_depth):
            return stmts + [gast.Return(value=value)]
        return stmts + [assign(self.ret_name, value), gast.Return(value=name(self.ret_name))]

    def stmt_FunctionDef(self, s):
        """A nested function stays in the forward sweep as it is, and is also
        lifted out (its free variables become parameters) for differentiation."""
        if s.decorator_list:
            raise self.error(s.decorator_list[0], "cannot differentiate a decorated nested "
                             "function: srcgrad would differentiate its body, not what the "
                             "decorator makes of it",
                             "define it at module level (where @srcgrad.custom_gradient and "
                             "registered adjoints apply)")
        for sub in gast.walk(s):
            if isinstance(sub, (gast.Nonlocal, gast.Global)):
                raise self.error(sub, f"cannot differentiate a nested function that uses "
                                      f"'{type(sub).__name__.lower()}'",
                                 "return the new value from the nested function instead")
            if isinstance(sub, (gast.Yield, gast.YieldFrom)):
                raise self.error(sub, "cannot differentiate a generator (a function with yield)",
                                 "build and return a list instead")
        self.lifted.append(s)
        setattr(s, OPAQUE, True)
        return [s]


def _while_tail_len(body):
    n = 0
    for s in reversed(body):
        if getattr(s, ORIGIN, None) is not None and isinstance(getattr(s, ORIGIN), gast.While):
            n += 1
        else:
            break
    return n


def _clone_if(s, body, orelse):
    new = gast.If(test=s.test, body=body, orelse=orelse)
    setattr(new, ORIGIN, getattr(s, ORIGIN, None))
    return new


def _copy(node):
    import copy

    return copy.deepcopy(node)


def _range(n):
    return gast.Call(func=name("range"), args=[n], keywords=[])


_STMT_HINTS = {
    "Try": "move the try/except outside the differentiated function",
    "With": "move the with block outside the differentiated function",
    "Global": "pass the value as an argument instead",
    "Nonlocal": "pass the value as an argument instead",
    "Delete": "remove the del statement",
    "Import": "import at module level",
    "ImportFrom": "import at module level",
    "ClassDef": "define the class at module level",
    "AsyncFunctionDef": "use a plain function",
    "AsyncFor": "use a plain for loop",
    "Match": "use if/elif/else",
}


def lower_returns(stmts, ret):
    """Rewrite early returns so the body ends with its only ``return``.

    The statements after an ``if`` that may return move into the paths that
    fall through it.  Returns (statements, whether every path returns).
    """
    import copy

    out = []
    for k, s in enumerate(stmts):
        if isinstance(s, gast.Return):
            if not (isinstance(s.value, gast.Name) and s.value.id == ret):
                out += _set_origin([assign(ret, s.value)], s)
            return out, True
        if isinstance(s, gast.If) and _contains([s], gast.Return, False):
            rest = stmts[k + 1:]
            body, ra = lower_returns(s.body + copy.deepcopy(rest), ret)
            orelse, rb = lower_returns(s.orelse + copy.deepcopy(rest), ret)
            out.append(_clone_if(s, body, orelse))
            return out, ra and rb
        out.append(s)
    return out, False


def _loop_returns(stmts, ret, flag, in_loop):
    """``return v`` inside a loop becomes ``ret = v; flag = True; break``.

    After each loop that may return, ``if flag: return ret`` takes the
    return out of the loop (and out of enclosing loops, recursively).
    """
    found = False
    out = []
    for s in stmts:
        if isinstance(s, gast.Return) and in_loop:
            value = s.value if s.value is not None else const(None)
            new = [gast.Assign(targets=[name(ret, "store")], value=value, type_comment=None),
                   assign(flag, const(True)), gast.Break()]
            for n in new:
                gast.copy_location(n, s)
            out += new
            found = True
            continue
        if isinstance(s, gast.If):
            s.body, f1 = _loop_returns(s.body, ret, flag, in_loop)
            s.orelse, f2 = _loop_returns(s.orelse, ret, flag, in_loop)
            found |= f1 or f2
        elif isinstance(s, (gast.For, gast.While)):
            s.body, f = _loop_returns(s.body, ret, flag, True)
            out.append(s)
            if f:
                found = True
                exit_ = gast.If(test=name(flag), body=[gast.Return(value=name(ret))], orelse=[])
                gast.copy_location(exit_, s)
                gast.copy_location(exit_.body[0], s)
                out.append(exit_)
            continue
        out.append(s)
    return out, found


def normalize(fn, info, namer=None, extra_locals=()):
    """Normalize a parsed function; see the module docstring."""
    params = [a.id for a in fn.args.args]
    taken = {n.id for n in gast.walk(fn) if isinstance(n, gast.Name)} | {
        a.id for a in fn.args.args
    }
    namer = namer or Namer(taken)
    for t in taken:
        namer.reserve(t)
    local = set(params) | set(stored_names(fn)) | set(extra_locals)
    norm = Normalizer(info, namer, local)
    norm.params = set(params)
    hooks.check_names(fn, info)
    ret = "out" if "out" not in taken else namer.new("out")
    namer.reserve(ret)
    norm.locals.add(ret)
    norm.ret_name = ret
    flag = namer.new("returned")
    source_body, found = _loop_returns(_copy(fn.body), ret, flag, False)
    if found:
        norm.locals.add(flag)
        init = assign(flag, const(False))
        gast.copy_location(init, fn)
        source_body = [init] + source_body
    body = norm.block(source_body)
    body, always = lower_returns(body, ret)
    if not always:
        body.append(assign(ret, const(None)))
        _set_origin(body[-1:], fn)
    # a trailing `out = <name>` followed by `return out` is just `return <name>`
    final = gast.Return(value=name(ret))
    if body and isinstance(body[-1], gast.Assign) and isinstance(body[-1].targets[0], gast.Name) \
            and body[-1].targets[0].id == ret and isinstance(body[-1].value, gast.Name) \
            and not _assigned_elsewhere(body[:-1], ret):
        final = gast.Return(value=body[-1].value)
        setattr(final, ORIGIN, getattr(body[-1], ORIGIN, None))
        body = body[:-1]
    elif body and isinstance(body[-1], gast.Assign) and isinstance(body[-1].targets[0], gast.Name) \
            and body[-1].targets[0].id == ret:
        setattr(final, ORIGIN, getattr(body[-1], ORIGIN, None))
    body.append(final)
    new = gast.FunctionDef(name=fn.name, args=fn.args, body=body, decorator_list=[],
                           returns=None, type_comment=None, type_params=[])
    new.lifted = norm.lifted
    new._sg_hooks = norm.top_hooks
    new.user_names = taken
    new.namer = namer
    new.locals = norm.locals
    return new


def _assigned_elsewhere(stmts, var):
    return var in stored_names(gast.Module(body=stmts, type_ignores=[]))
