"""Assembling a generated module: the requested function and its callees.

A function ``f`` differentiated with respect to some of its parameters
becomes one function ``f_vjp(params..., dout=1.0)`` returning
``(value, gradients)``.  A user function ``g`` that ``f`` calls with active
arguments becomes a pair ``g_fwd`` (forward sweep, returns the value and what
the reverse sweep needs) and ``g_bwd`` (reverse sweep), one pair per set of
active parameters.
"""

import gast

from .aliasing import liveness
from .ast_util import assign, const, name, stored_names, unparse
from .calls import names_in
from .diagnostics import TransformError
from .inline_calls import inline_small_calls
from .naming import Namer
from .normalize import normalize
from .placeholders import COMMENT
from .reverse import Context, ReverseGen
from .shapes import SCALAR

_PLACEHOLDER = "__srcgrad_docstring__"


class Program:
    def __init__(self, rt="rt", tangent_suffix=None):
        self.rt = rt
        # forward mode names the tangent of x dx, or x + suffix (x_dot) when x's own name
        # may already be an adjoint (differentiating generated reverse-mode code)
        self.tangent_suffix = tangent_suffix
        self.functions = []  # (name, FunctionDef) in output order
        self.requests = {}
        self.names = Namer({rt})
        self.resolvers = []  # (resolver, names it must provide) per function
        self.mutates_arguments = False  # some function writes into a parameter array
        self.rule_globals = {}  # names user rule templates read: name -> object
        self.unconnected = ()  # wrt parameters of the entry function no gradient reaches
        self.result_shapes = {}  # (callee, its parameters' shape terms) -> its result's

    def _prepare(self, fndef, info, resolver, parent_functions=None):
        fn = normalize(fndef, info)
        params = {a.id for a in fn.args.args}
        for s in gast.walk(fn):
            if isinstance(s, gast.Assign) and any(
                    isinstance(t, gast.Subscript) and t.value.id in params for t in s.targets):
                self.mutates_arguments = True
        ctx = Context(fn, info, resolver, fn.namer, self.rt, parent_functions)
        fn.namer.reserve(self.rt)
        inline_small_calls(fn, ctx, normalize, lambda callee, cinfo, cresolver: Context(
            callee, cinfo, cresolver, callee.namer, self.rt))
        return fn, ctx

    def _provides(self, resolver, fndef, fn):
        """The module provides (and re-reads at each call) the globals ``fndef`` reads and
        those of the helpers written in place in it (``fn``, its prepared form)."""
        self.resolvers += getattr(fn, "_sg_inlined", []) + [(resolver, fndef)]

    def _params(self, fn):
        return [a.id for a in fn.args.args]

    def _args(self, params, extra=()):
        args = [name(p, "param") if False else gast.Name(id=p, ctx=gast.Param(), annotation=None,
                                                         type_comment=None) for p in params]
        defaults = []
        for e, d in extra:
            args.append(gast.Name(id=e, ctx=gast.Param(), annotation=None, type_comment=None))
            defaults.append(const(d))
        return gast.arguments(args=args, posonlyargs=[], vararg=None, kwonlyargs=[],
                              kw_defaults=[], kwarg=None, defaults=defaults)

    def vjp_function(self, fndef, info, resolver, wrt, fname=None, scalar_params=(),
                     list_params=(), has_aux=False, param_shapes=None):
        """Generate ``<f>_vjp``; ``wrt`` are parameter names. Returns its name.

        ``scalar_params`` names parameters known to be Python scalars, which
        lets the generated code skip unbroadcasting for them; ``param_shapes``
        maps parameters to shapes with symbolic sizes (see ``shapes.py``),
        which lets it skip unbroadcasting where shapes are known to agree.
        With ``has_aux``, ``f`` returns ``(loss, aux)`` and only ``loss`` is
        differentiated.
        """
        fn, ctx = self._prepare(fndef, info, resolver)
        params = self._params(fn)
        shapes = {p: ("shape", tuple(d)) for p, d in (param_shapes or {}).items()}
        gen = ReverseGen(fn, ctx, set(wrt), self, scalar_params, list_params, has_aux=has_aux,
                         param_shapes=shapes)
        seed = _seed(fn)
        fwd, rev, live = gen.generate(seed)
        ret = fn.body[-1].value
        body = list(fwd)
        result = ret
        if isinstance(ret, gast.Name) and _rebinds(rev, ret.id):
            keep = fn.namer.new("value")
            body.append(assign(keep, _capture(gen, rev, ret.id)))
            result = name(keep)
        body += rev
        grads = [name(gen.adj(p)) if p in live else gen.rtcall("zeros_like", name(p))
                 for p in wrt]
        self.unconnected = tuple(p for p in wrt if p not in live)
        gtuple = grads[0] if len(grads) == 1 else gast.Tuple(elts=grads, ctx=gast.Load())
        body.append(gast.Return(value=gast.Tuple(elts=[result, gtuple], ctx=gast.Load())))
        fname = fname or self.names.new(f"{fn.name}_vjp")
        wrt_text = ", ".join(wrt)
        doc = (f"Return {fn.name}({', '.join(params)}) and the vector-Jacobian product of "
               f"{seed} with it, with respect to {wrt_text}.")
        func = self._function(fname, self._args(params, [(seed, 1.0)]), doc, body)
        self.functions.insert(0, (fname, func))
        self._provides(resolver, fndef, fn)
        return fname

    def result_shape(self, user, shapes):
        """The shape term of what ``user`` returns, given its parameters' terms."""
        key = (user.key, shapes)
        if key not in self.result_shapes:
            self.result_shapes[key] = None  # a recursive call: unknown
            mutates = self.mutates_arguments  # a look only: not a function of the module
            try:
                fn, ctx = self._prepare(user.fndef, user.info, user.resolver,
                                        getattr(user, "local_functions", None))
                params = self._params(fn)
                gen = ReverseGen(fn, ctx, set(), self, (), (),
                                 param_shapes=dict(zip(params, shapes)))
                self.result_shapes[key] = gen.result_shape
            except TransformError:
                pass  # reported if the callee is ever differentiated
            self.mutates_arguments = mutates
        return self.result_shapes[key]

    def request(self, user, active, lists=(), shapes=None):
        """The (fwd, bwd) pair of a callee for the given active parameter positions.

        ``lists``: positions where the caller passes a list or tuple;
        ``shapes``: the shape terms of its parameters, when known.
        """
        key = (user.key, active, lists, shapes)
        if key in self.requests:
            return self.requests[key]
        base = user.name
        fwd_name = self.names.new(f"{base}_fwd")
        bwd_name = self.names.new(f"{base}_bwd")
        self.requests[key] = (fwd_name, bwd_name)
        fn, ctx = self._prepare(user.fndef, user.info, user.resolver,
                                getattr(user, "local_functions", None))
        params = self._params(fn)
        wrt = [params[i] for i in active]
        # a parameter the caller passes a Python scalar is one here too
        scalars = [p for p, t in zip(params, shapes) if t == SCALAR] if shapes else []
        gen = ReverseGen(fn, ctx, set(wrt), self, scalars, [params[i] for i in lists],
                         param_shapes=dict(zip(params, shapes)) if shapes else None)
        seed = _seed(fn)
        fwd, rev, live = gen.generate(seed)
        ret = fn.body[-1].value
        unconnected = [p for p in wrt if p not in live]
        # what the reverse sweep reads before binding it (a loop walking its own
        # list binds the restored values itself)
        read_first = liveness(rev, set(), {})
        saved_vars = sorted((set(gen.needed) & read_first) | set(unconnected))
        fwd_body = list(fwd)
        saved = ([name(gen.tape)] if gen.uses_tape else []) + [
            name(v) for v in gen.loop_tapes + saved_vars]
        missing = [v for v in saved_vars if v not in gen.must_end and v not in gen.none_init]
        pre = [assign(v, const(None)) for v in missing]
        fwd_body = pre + fwd_body
        result = ret
        if isinstance(ret, gast.Name) and _rebinds(rev, ret.id):
            keep = fn.namer.new("value")
            fwd_body.append(assign(keep, _capture(gen, rev, ret.id)))
            result = name(keep)
        fwd_body.append(gast.Return(value=gast.Tuple(
            elts=[result, gast.Tuple(elts=saved, ctx=gast.Load())], ctx=gast.Load())))
        saved_name = fn.namer.new("saved")
        bwd_body = []
        if saved:
            targets = [gast.Name(id=n.id, ctx=gast.Store(), annotation=None, type_comment=None)
                       for n in saved]
            tgt = targets[0] if len(targets) == 1 else gast.Tuple(elts=targets, ctx=gast.Store())
            if len(targets) == 1:
                bwd_body.append(assign(tgt, gast.Subscript(value=name(saved_name),
                                                           slice=const(0), ctx=gast.Load())))
            else:
                bwd_body.append(assign(tgt, name(saved_name)))
        bwd_body += rev
        grads = [name(gen.adj(p)) if p in live else gen.rtcall("zeros_like", name(p))
                 for p in wrt]
        gtuple = grads[0] if len(grads) == 1 else gast.Tuple(elts=grads, ctx=gast.Load())
        bwd_body.append(gast.Return(value=gtuple))
        fdoc = f"Forward sweep of {fn.name}: its value, and what {bwd_name} needs."
        bdoc = f"Reverse sweep of {fn.name}: the cotangents of {', '.join(wrt)}."
        self.functions.append((fwd_name, self._function(fwd_name, self._args(params), fdoc,
                                                        fwd_body)))
        self.functions.append((bwd_name, self._function(
            bwd_name, self._args([saved_name, seed]), bdoc, bwd_body)))
        self._provides(user.resolver, user.fndef, fn)
        return fwd_name, bwd_name

    # -- forward mode ----------------------------------------------------
    def jvp_function(self, fndef, info, resolver, wrt, fname=None, scalar_params=(),
                     list_params=()):
        """Generate ``<f>_jvp(params..., d<wrt>...)`` returning ``(value, tangent)``."""
        from .tangent import TangentGen

        fn, ctx = self._prepare(fndef, info, resolver)
        params = self._params(fn)
        gen = TangentGen(fn, ctx, wrt, self, scalar_params, list_params)
        tparams = [gen.tan(p) for p in wrt]
        for t in tparams:
            fn.namer.reserve(t)
        body, tan = gen.generate()
        ret = fn.body[-1].value
        body.append(gast.Return(value=gast.Tuple(elts=[ret, tan], ctx=gast.Load())))
        fname = fname or self.names.new(f"{fn.name}_jvp")
        doc = (f"Return {fn.name}({', '.join(params)}) and its Jacobian-vector product with "
               f"the tangents {', '.join(tparams)} of {', '.join(wrt)}.")
        func = self._function(fname, self._args(params + tparams), doc, body)
        self.functions.insert(0, (fname, func))
        self._provides(resolver, fndef, fn)
        return fname

    def request_jvp(self, user, active, lists=()):
        """The forward-mode version of a callee for the given active parameter positions."""
        from .tangent import TangentGen

        key = ("jvp", user.key, active, lists)
        if key in self.requests:
            return self.requests[key]
        jvp_name = self.names.new(f"{user.name}_jvp")
        self.requests[key] = jvp_name
        fn, ctx = self._prepare(user.fndef, user.info, user.resolver,
                                getattr(user, "local_functions", None))
        params = self._params(fn)
        wrt = [params[i] for i in active]
        gen = TangentGen(fn, ctx, wrt, self, (), [params[i] for i in lists])
        tparams = [gen.tan(p) for p in wrt]
        body, tan = gen.generate()
        ret = fn.body[-1].value
        body.append(gast.Return(value=gast.Tuple(elts=[ret, tan], ctx=gast.Load())))
        doc = f"Forward mode of {fn.name}: its value and its tangent along {', '.join(tparams)}."
        self.functions.append((jvp_name, self._function(jvp_name, self._args(params + tparams),
                                                        doc, body)))
        self._provides(user.resolver, user.fndef, fn)
        return jvp_name

    def _function(self, fname, args, doc, body):
        body = [gast.Expr(value=gast.Constant(value=doc, kind=None))] + body
        return gast.FunctionDef(name=fname, args=args, body=body, decorator_list=[],
                                returns=None, type_comment=None, type_params=[])

    def source(self, header=""):
        """The generated module's text (without imports; the caller adds them)."""
        chunks = []
        for _, fn in self.functions:
            chunks.append(render(fn))
        return "\n\n\n".join(chunks) + "\n"


def _seed(fn):
    """The name of the output cotangent parameter: ``dout``, the adjoint of ``out``."""
    ret = fn.body[-1].value
    if isinstance(ret, gast.Name) and ret.id == "out":
        fn.namer.bind_adjoint("out", "dout") if "dout" not in fn.namer.taken else None
        return fn.namer.adjoint("out")
    return fn.namer.new("dout")


def _capture(gen, rev, var):
    """``var`` itself, or a copy of it when the reverse sweep writes into it."""
    for s in gast.walk(gast.Module(body=rev, type_ignores=[])):
        if isinstance(s, gast.Assign) and any(
                isinstance(t, gast.Subscript) and isinstance(t.value, gast.Name)
                and t.value.id == var for t in s.targets):
            return gen.rtcall("snapshot", name(var))
    return name(var)


def _rebinds(stmts, var):
    for s in gast.walk(gast.Module(body=stmts, type_ignores=[])):
        if isinstance(s, gast.For) and var in stored_names(s.target):
            return True
        if isinstance(s, gast.Assign):
            for t in s.targets:
                if isinstance(t, (gast.Name, gast.Tuple, gast.List)) and \
                        var in stored_names(t):  # a, b = ... binds a and b
                    return True
                if isinstance(t, gast.Subscript) and isinstance(t.value, gast.Name) and \
                        t.value.id == var:
                    return True
    return False


def render(fn):
    """Source text of a generated function: comments in place, long lines wrapped."""
    from . import layout

    text = unparse(fn)
    out = []
    first_docstring = True
    for line in text.splitlines():
        stripped = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        if stripped.startswith(("'" + COMMENT, '"' + COMMENT)):
            body = layout.literal(stripped)[len(COMMENT):]
            stmt, _, location = body.rpartition("  ")
            out += layout.wrap_comment(indent, stmt, location)
            continue
        if first_docstring and stripped.startswith(('"""', "'")) and out and \
                out[-1].rstrip().endswith(":"):
            first_docstring = False
            try:
                doc = layout.literal(stripped)
            except (ValueError, SyntaxError):
                doc = None
            if isinstance(doc, str):
                out += layout.wrap_docstring(indent, doc)
                continue
        out.append(layout.wrap_line(line))
    return "\n".join(out)


__all__ = ["Program", "render", "names_in"]
