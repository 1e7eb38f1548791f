"""The public API: ``grad``, ``value_and_grad``, ``vjp`` and ``source``.

Each takes ``rules=``, a :class:`~srcgrad.rules.RuleSet`; without it they
use :func:`srcgrad.user_rules`, the process-wide layer the ``@adjoint`` and
``@tangent`` decorators register into, over the library's rules.
"""

import builtins
import functools
import hashlib
import inspect
import linecache
import os
import re
import sys
import tempfile
import types

import gast
import numpy as np

from srcgrad import runtime
from srcgrad.errors import SrcgradError
from srcgrad.hooks import without_hooks
from srcgrad.resolve import Resolver, function_source
from srcgrad.transforms.parser import parse_source
from srcgrad.transforms.program import Program

_CACHE = {}
_GENERATED = "srcgrad_generated"  # module name of generated code


def _rules():
    from srcgrad.custom import user_rules

    return user_rules()


_UNCONNECTED = ("zero", "none")


def _check_options(unconnected, rules):
    if unconnected not in _UNCONNECTED:
        raise SrcgradError(f"unconnected must be 'zero' or 'none', not {unconnected!r}")
    from srcgrad.rules import RuleSet

    if rules is not None and not isinstance(rules, RuleSet):
        raise SrcgradError(f"rules must be a srcgrad.rules.RuleSet, not {type(rules).__name__}")


# -- wrt ---------------------------------------------------------------------
def _positional_params(f):
    try:
        sig = inspect.signature(f)
    except (TypeError, ValueError):
        raise SrcgradError(f"{f!r} is not a Python function srcgrad can read") from None
    params = []
    for p in sig.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.KEYWORD_ONLY, p.POSITIONAL_ONLY):
            raise SrcgradError(
                f"{f.__qualname__} takes *args, **kwargs, keyword-only or positional-only "
                "parameters; srcgrad differentiates functions with plain parameters"
            )
        params.append(p.name)
    return sig, params


def _wrt_names(f, params, wrt):
    single = not isinstance(wrt, (tuple, list))
    items = [wrt] if single else list(wrt)
    if not items:
        raise SrcgradError("wrt is empty: name at least one parameter to differentiate")
    names = []
    for w in items:
        if isinstance(w, bool) or not isinstance(w, (int, str)):
            raise SrcgradError(f"wrt must be parameter indices or names, not {w!r}")
        if isinstance(w, int):
            if not -len(params) <= w < len(params):
                raise SrcgradError(
                    f"wrt={w} is out of range: {f.__qualname__} has {len(params)} parameters "
                    f"({', '.join(params)})"
                )
            w = params[w]
        elif w not in params:
            raise SrcgradError(
                f"wrt={w!r} is not a parameter of {f.__qualname__} ({', '.join(params)})"
            )
        if w in names:
            raise SrcgradError(f"wrt names {w!r} twice")
        names.append(w)
    return names, single


def _check_function(f):
    if not isinstance(f, types.FunctionType):
        raise SrcgradError(
            f"srcgrad differentiates Python functions; got {type(f).__name__} {f!r}"
        )
    if f.__name__ == "<lambda>":
        raise SrcgradError("srcgrad cannot differentiate a lambda: define the function with def")


# -- generation ----------------------------------------------------------------
class Generated:
    """A generated module: its text and what it needs to run."""

    def __init__(self, text, namespace, entry, filename, live=()):
        self.text = text
        self.namespace = namespace
        self.live = live
        self.entry = entry
        self.filename = filename


def _free_globals(fndef):
    import gast

    stored = {a.id for a in fndef.args.args}
    loads = []
    for n in gast.walk(fndef):
        if isinstance(n, gast.Name):
            if isinstance(n.ctx, gast.Load):
                loads.append(n.id)
            else:
                stored.add(n.id)
        elif isinstance(n, gast.FunctionDef) and n is not fndef:
            stored.add(n.name)
    return sorted({n for n in loads if n not in stored})


def _import_line(alias, obj):
    """How the generated module gets the global ``alias`` (a line of source)."""
    if isinstance(obj, types.ModuleType):
        return f"import {obj.__name__}" if obj.__name__ == alias else (
            f"import {obj.__name__} as {alias}")
    if _is_literal(obj):
        return f"{alias} = {obj!r}"
    mod = getattr(obj, "__module__", None)
    name = getattr(obj, "__name__", None)
    module = sys.modules.get(mod) if mod else None
    if module is not None and mod not in ("builtins", "__main__") and name and getattr(
            module, name, None) is obj:
        return f"from {mod} import {name}" if name == alias else (
            f"from {mod} import {name} as {alias}")
    return f"# {alias}: taken from the namespace of the differentiated function"


def _referenced(body):
    """Global names the generated functions read."""
    import ast

    tree = ast.parse(body)
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def _import_block(lines, used):
    """The import lines the body uses, in isort's sections (stdlib, others, user)."""
    def alias(line):
        if line.startswith("# "):
            return line[2:].split(":", 1)[0]
        if line.startswith(("import ", "from ")):
            return line.rsplit(" ", 1)[-1]
        return line.split(" = ", 1)[0]

    def top(line):
        return line.split()[1].split(".")[0]

    kept = sorted({ln for ln in lines if alias(ln) in used})
    stdlib = [ln for ln in kept if ln.startswith(("import ", "from "))
              and top(ln) in sys.stdlib_module_names]
    known = {"numpy", "cupy", "srcgrad", "scipy"}
    third = [ln for ln in kept if ln.startswith(("import ", "from ")) and top(ln) in known]
    user = [ln for ln in kept if ln.startswith(("import ", "from ")) and ln not in stdlib
            and ln not in third]
    rest = [ln for ln in kept if not ln.startswith(("import ", "from "))]
    sections = []
    for group in (stdlib, third, user):
        if group:
            sections.append("\n".join(
                sorted(ln for ln in group if ln.startswith("import "))
                + sorted(ln for ln in group if ln.startswith("from "))))
    text = "\n\n".join(sections)
    if rest:
        text += "\n\n" + "\n".join(rest)
    return text


def _is_literal(obj):
    if type(obj) in (int, float, complex, str, bool, type(None)):
        return True
    if type(obj) is tuple:
        return all(_is_literal(v) for v in obj)
    return False


def generate(f, wrt_names, rules=None, scalar_params=(), list_params=(), has_aux=False,
             mode="reverse", shape_params=()):
    """Generate the module holding ``<f>_vjp`` (or ``<f>_jvp``) for ``f`` and ``wrt_names``.

    ``scalar_params``: parameters the caller passes as Python floats or ints;
    the code generated for them skips shape bookkeeping.  ``has_aux``: ``f``
    returns ``(loss, aux)`` and only ``loss`` is differentiated.
    ``shape_params``: ``(name, shape)`` pairs for array parameters, sizes
    symbolic (see :func:`_arg_shapes`); the reverse-mode code skips
    unbroadcasting where they show that shapes agree.
    """
    rules = rules or _rules()
    generated_code = str(getattr(f, "__module__", "")).startswith(_GENERATED)
    if generated_code:
        # differentiating generated code (higher derivatives): it calls runtime helpers
        from srcgrad.rules.runtime_rules import with_runtime

        rules = with_runtime(rules)
    src, filename, first = function_source(f)
    fndef, info = parse_source(src, filename, first)
    resolver = Resolver(f, rules)
    program = Program(tangent_suffix="_dot" if generated_code else None)
    if mode == "forward":
        if has_aux:
            raise SrcgradError("has_aux is not supported in forward mode")
        entry = program.jvp_function(fndef, info, resolver, wrt_names,
                                     scalar_params=tuple(scalar_params),
                                     list_params=tuple(list_params))
    else:
        entry = program.vjp_function(fndef, info, resolver, wrt_names,
                                     scalar_params=tuple(scalar_params),
                                     list_params=tuple(list_params), has_aux=has_aux,
                                     param_shapes=dict(shape_params))
    body = program.source()
    namespace = {"rt": runtime}
    live = []  # (name, the globals dict it comes from): re-read at every call
    imports = ["from srcgrad import runtime as rt"]
    seen = {"rt"}
    generated = {n for n, _ in program.functions}
    needs_np = re.search(r"\bnp\.", body) is not None
    for res, fd in program.resolvers:
        for n in _free_globals(fd):
            if n == "rt":
                try:
                    obj = res.lookup(n)
                except KeyError:
                    continue
                if obj is not runtime:
                    raise SrcgradError(
                        f"{fd.name} reads a global named 'rt', the name generated code gives "
                        "srcgrad's runtime helpers; import or define it under another name")
                continue
            if n in generated:
                continue
            try:
                obj = res.lookup(n)
            except KeyError:
                if hasattr(builtins, n):
                    continue
                raise SrcgradError(f"name {n!r} used by {fd.name} is not defined") from None
            if n in seen:
                other = namespace.get(n, obj)
                if other is not obj and not (
                        _is_literal(obj) and type(obj) is type(other) and obj == other):
                    raise SrcgradError(
                        f"{n!r} means different things in the modules differentiated "
                        f"together ({fd.name} reads one of them); the generated module can "
                        "hold only one: rename one of them")
                continue
            if hasattr(builtins, n) and getattr(builtins, n) is obj:
                continue
            seen.add(n)
            namespace[n] = obj
            if n in res.globals and not isinstance(obj, types.ModuleType):
                live.append((n, res.globals))
            imports.append(_import_line(n, obj))
        for n in res.used_globals:
            if n not in seen and n in res.globals:
                seen.add(n)
                namespace[n] = res.globals[n]
                imports.append(_import_line(n, res.globals[n]))
    bound = {v.id for _, fd in program.functions for v in gast.walk(fd)
             if isinstance(v, gast.Name) and isinstance(v.ctx, gast.Store)} \
        if program.rule_globals else set()
    for n, obj in sorted(program.rule_globals.items(), key=lambda kv: kv[0]):
        if n in bound:
            raise SrcgradError(
                f"a registered derivative template reads the global {n!r}, which "
                f"{f.__qualname__} (or a function it calls) binds as a local variable: the "
                "template would read the local; rename the local variable")
        if n in namespace and namespace[n] is not obj:
            raise SrcgradError(
                f"a registered derivative template reads {n!r}, which {f.__qualname__}'s "
                "module binds to something else; rename one of them")
        if n not in namespace:
            namespace[n] = obj
            imports.append(_import_line(n, obj))
    if re.search(r"\bmath\.", body) and "math" not in namespace:
        import math

        namespace["math"] = math
        imports.append("import math")
    if needs_np and "np" not in namespace:
        import numpy

        namespace["np"] = numpy
        imports.append("import numpy as np")
    from srcgrad import __version__

    where = os.path.basename(filename)
    import textwrap

    if generated_code:
        # second derivatives: forward mode over srcgrad's own reverse-mode code
        origin = f.__name__[:-4] if f.__name__.endswith("_vjp") else f.__name__
        title = (f"Generated by srcgrad {__version__}: forward mode over {f.__name__}, the "
                 f"reverse-mode code of {origin} (with respect to {', '.join(wrt_names)}).")
    else:
        title = (f"Generated by srcgrad {__version__} from {where}:{f.__name__} "
                 f"({'forward mode, ' if mode == 'forward' else ''}"
                 f"with respect to {', '.join(wrt_names)}).")
    lines = textwrap.wrap(title, 96)
    if scalar_params:
        lines += textwrap.wrap(f"Specialized for Python-scalar {', '.join(scalar_params)}.", 96)
    if list_params:
        lines += textwrap.wrap(f"Specialized for list or tuple {', '.join(list_params)}.", 96)
    if shape_params:
        shapes = ", ".join(f"{p} {_shape_text(d)}" for p, d in shape_params)
        lines += textwrap.wrap(f"Specialized for array shapes {shapes}.", 96)
    lines.append("Regenerate it rather than editing it.")
    header = "".join(f"# {ln}\n" for ln in lines)
    used = _referenced(body)
    # functions called plainly (no gradient through the call) run without their grad_of blocks
    hooked = sorted(n for n in used if isinstance(namespace.get(n), types.FunctionType)
                    and without_hooks(namespace[n]) is not namespace[n])
    plain = ""
    if hooked:
        import srcgrad

        imports.append("import srcgrad")
        namespace["srcgrad"] = srcgrad
        used.add("srcgrad")
        plain = "\n" + "".join(f"{n} = srcgrad.without_hooks({n})\n" for n in hooked)
        live = [(n, g) for n, g in live if n not in hooked]
    text = header + _import_block(imports, used) + "\n" + plain + "\n\n" + body
    gen = Generated(text, namespace, entry, filename, live)
    gen.mutates_arguments = program.mutates_arguments
    gen.unconnected = program.unconnected
    return gen


def _shape_text(dims):
    return "(" + ", ".join(map(str, dims)) + ("," if len(dims) == 1 else "") + ")"


# -- compilation and caching ------------------------------------------------------
def cache_dir():
    path = os.environ.get("SRCGRAD_CACHE_DIR") or os.path.join(
        os.path.expanduser("~"), ".cache", "srcgrad")
    try:
        os.makedirs(path, exist_ok=True)
        probe = os.path.join(path, ".probe")
        with open(probe, "w"):
            pass
        os.remove(probe)
    except OSError:
        path = os.path.join(tempfile.gettempdir(), "srcgrad-cache")
        os.makedirs(path, exist_ok=True)
    return path


def _write_cached(text, stem):
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    stem = re.sub(r"[^0-9A-Za-z_]+", "_", stem).strip("_")[:60] or "f"
    path = os.path.join(cache_dir(), f"{stem}_{digest}.py")
    if not os.path.exists(path):
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.replace(tmp, path)
    return path


def _closure_key(f):
    if not f.__closure__:
        return ()
    key = []
    for cell in f.__closure__:
        try:
            key.append(id(cell.cell_contents))
        except ValueError:
            key.append(None)
    return tuple(key)


def compiled(f, wrt_names, kinds=((), ()), rules=None, has_aux=False, mode="reverse"):
    """The compiled ``<f>_vjp`` function, generated once per unchanged ``f``.

    ``kinds``: the parameters passed Python scalars, and those passed lists or
    tuples (see :func:`_arg_kinds`).  A change to the rules (a new
    ``@adjoint``) regenerates.
    """
    if mode == "forward":
        kinds = tuple(kinds[:2])  # forward mode does not specialize on shapes
    scalar_params, list_params = kinds[:2]
    shape_params = kinds[2] if len(kinds) > 2 else ()
    rules = rules if rules is not None else _rules()
    key = (f, tuple(wrt_names), kinds, rules.version, has_aux, mode)
    hit = _CACHE.get(key)
    if hit is not None and hit[0][0] is f.__code__ and (
            not f.__closure__ or hit[0][1] == _closure_key(f)):
        return hit[1]
    stamp = (f.__code__, _closure_key(f))
    gen = generate(f, wrt_names, rules, scalar_params=scalar_params, list_params=list_params,
                   has_aux=has_aux, mode=mode, shape_params=shape_params)
    path = _write_cached(gen.text, f"{f.__module__}_{f.__qualname__}")
    code = compile(gen.text, path, "exec")
    linecache.cache[path] = (len(gen.text), None, gen.text.splitlines(True), path)
    ns = dict(gen.namespace)
    ns["__name__"] = f"{_GENERATED}.{f.__name__}"
    exec(code, ns)
    fn = ns[gen.entry]
    if gen.live:
        fn = _with_live_globals(fn, ns, gen.live)
    fn.mutates_arguments = gen.mutates_arguments
    fn.unconnected = gen.unconnected
    _CACHE[key] = (stamp, fn)
    return fn


def _with_live_globals(fn, ns, live):
    """Call ``fn`` with the user's current module globals (constants may change)."""

    def refresh():
        for n, source in live:
            if n in source:
                ns[n] = source[n]

    def call(*args):
        refresh()
        return fn(*args)

    call.__wrapped__ = fn
    call.refresh_globals = refresh  # for code run on fn's module without calling it (hvp)
    return call


# -- public functions ---------------------------------------------------------------
def _prepare(f, wrt):
    _check_function(f)
    sig, params = _positional_params(f)
    names, single = _wrt_names(f, params, wrt)
    return sig, params, names, single


def _call_args(sig, f, args, kwargs):
    try:
        bound = sig.bind(*args, **kwargs)
    except TypeError as exc:
        raise TypeError(f"{f.__qualname__}(): {exc}") from None
    bound.apply_defaults()
    return bound.args, bound.arguments


def _arg_kinds(params, args):
    """The parameters given Python floats or ints, those given lists or tuples, and
    the shapes of those given arrays, with symbolic sizes (see :func:`_arg_shapes`)."""
    return (tuple(p for p, a in zip(params, args) if type(a) in (float, int)),
            tuple(p for p, a in zip(params, args) if isinstance(a, (list, tuple))),
            _arg_shapes(params, args))


def _arg_shapes(params, args):
    """``(("x", ("n0",)), ("A", ("n0", "n0")))``: array shapes up to the values of sizes.

    Sizes 0 and 1 stay numbers (they broadcast differently); other sizes are
    named ``n0``, ``n1``, ... in order of appearance, equal sizes alike, so
    that code generated for one batch size serves every other.
    """
    # numpy arrays and GPU arrays (cupy); not subclasses such as np.matrix, whose
    # operators are not elementwise
    shapes = tuple(a.shape if type(a) is np.ndarray or (
        hasattr(a, "__cuda_array_interface__") and type(a.shape) is tuple) else None
        for a in args)
    return _shape_pattern(tuple(params), shapes)


@functools.lru_cache(maxsize=256)
def _shape_pattern(params, shapes):
    sizes = {}
    out = []
    for p, shape in zip(params, shapes):
        if shape is not None:
            dims = tuple(n if n < 2 else sizes.setdefault(n, f"n{len(sizes)}") for n in shape)
            out.append((p, dims))
    return tuple(out)


def _format(grads, arguments, names, single, none=()):
    """The gradients as the user asked: one or a tuple; ``None`` for the names in ``none``."""
    if len(names) == 1:
        grads = (grads,)
    out = tuple(None if n in none else runtime.to_float(g, arguments[n])
                for g, n in zip(grads, names))
    return out[0] if single else out


def _is_complex(x):
    if isinstance(x, (list, tuple)):
        return any(_is_complex(v) for v in x)
    if type(x) is complex:
        return True
    dtype = getattr(x, "dtype", None)
    return dtype is not None and getattr(dtype, "kind", None) == "c"


def _check_real(f, params, args):
    """Complex arguments are refused: the rules are written for real numbers."""
    for p, a in zip(params, args):
        if _is_complex(a):
            kind = type(a).__name__ if type(a) is complex else f"{a.dtype} array"
            raise SrcgradError(
                f"{f.__qualname__}(): argument {p!r} is complex ({kind}); srcgrad "
                "differentiates real-valued functions of real arguments only. Split a "
                "complex value into its real and imaginary parts and pass those")


def _check_scalar(f, value):
    if type(value) is float:
        return
    if _is_complex(value):
        raise SrcgradError(
            f"grad needs {f.__qualname__} to return a real scalar, but it returned a complex "
            "value; differentiate its real part, its imaginary part or its abs instead")
    shape = runtime.shape(value) if not isinstance(value, (tuple, list)) else None
    if shape is None or shape != ():
        raise SrcgradError(
            f"grad needs {f.__qualname__} to return a scalar, but it returned "
            f"{'a ' + type(value).__name__ if shape is None else 'shape ' + str(shape)}; "
            "use srcgrad.vjp for non-scalar outputs"
        )


def _fresh_copies(args):
    """``args`` with every array (numpy, cupy, ...) copied, so that ``f`` may write into it."""
    return [a.copy() if hasattr(a, "__array_function__") and not isinstance(a, type) else a
            for a in args]


def value_and_grad(f, wrt=0, has_aux=False, unconnected="zero", rules=None):
    """Return a function computing ``(f(*args), gradient of f)``.

    ``wrt`` is a parameter index or name, or a tuple of them (then the
    gradient is a tuple).  ``f`` must return a scalar, or with ``has_aux``
    a pair ``(loss, aux)``: then the value is that pair and only ``loss`` is
    differentiated.  ``unconnected="none"`` gives ``None`` rather than a
    zero for a ``wrt`` parameter that does not reach the result.
    """
    sig, params, names, single = _prepare(f, wrt)
    _check_options(unconnected, rules)
    compiled(f, names, rules=rules, has_aux=has_aux)  # errors surface here, not at the call
    nparams = len(params)

    @functools.wraps(f)
    def value_and_grad_f(*args, **kwargs):
        if kwargs or len(args) != nparams:
            args = _call_args(sig, f, args, kwargs)[0]
        _check_real(f, params, args)
        fn = compiled(f, names, _arg_kinds(params, args), rules, has_aux)
        if fn.mutates_arguments:
            # the caller's arrays are left as they were, whatever f writes into
            args = _fresh_copies(args)
        try:
            value, grads = fn(*args)
        except (TypeError, IndexError, ValueError):
            # a non-scalar output fails in the reverse sweep: say so plainly
            try:
                value = without_hooks(f)(*args)
            except Exception:  # noqa: BLE001 - the original error is the one to report
                value = (0.0, None) if has_aux else 0.0
            _check_scalar(f, value[0] if has_aux else value)
            raise
        _check_scalar(f, value[0] if has_aux else value)
        none = fn.unconnected if unconnected == "none" else ()
        return value, _format(grads, dict(zip(params, args)), names, single, none)

    return value_and_grad_f


def grad(f, wrt=0, has_aux=False, unconnected="zero", rules=None):
    """Return a function with ``f``'s signature computing the gradient of ``f``.

    With ``has_aux``, ``f`` returns ``(loss, aux)`` and the function returns
    ``(gradient, aux)``.  See :func:`value_and_grad` for ``unconnected``.

    >>> import numpy as np
    >>> from srcgrad import grad
    >>> def f(x):
    ...     return np.sum(x * x)
    >>> grad(f)(np.array([1.0, 2.0]))  # doctest: +SKIP
    array([2., 4.])
    """
    if hasattr(f, "__srcgrad_grad__"):  # grad(grad(f)): forward over reverse
        from srcgrad.higher import grad_of_grad

        if has_aux or rules is not None or unconnected != "zero":
            raise SrcgradError("grad of a gradient takes no has_aux, unconnected or rules")
        return grad_of_grad(f, wrt)
    vg = value_and_grad(f, wrt, has_aux, unconnected, rules)

    @functools.wraps(f)
    def grad_f(*args, **kwargs):
        value, g = vg(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    if not has_aux and rules is None and unconnected == "zero":
        names, single = _prepare(f, wrt)[2:]
        grad_f.__srcgrad_grad__ = (f, names, single)
    return grad_f


def vjp(f, *args, wrt=0, has_aux=False, unconnected="zero", rules=None):
    """Evaluate ``f(*args)`` and return ``(out, pullback)``.

    ``pullback(dout)`` returns the gradient of ``sum(dout * out)`` with
    respect to ``wrt``; ``dout`` is shaped like ``out`` (a tuple for a tuple
    output).  The pullback can be called any number of times.  With
    ``has_aux``, ``f`` returns ``(out, aux)``; ``aux`` is not differentiated
    and ``vjp`` returns ``(out, pullback, aux)``.
    """
    sig, params, names, single = _prepare(f, wrt)
    _check_options(unconnected, rules)
    call_args, arguments = _call_args(sig, f, args, {})
    _check_real(f, params, call_args)
    fn = compiled(f, names, _arg_kinds(params, call_args), rules, has_aux)
    # A function that writes into an argument array would see its own writes
    # on a second run: every run gets fresh copies instead.
    fresh = (lambda: _fresh_copies(call_args)) if \
        getattr(fn, "mutates_arguments", False) else (lambda: call_args)
    out = without_hooks(f)(*fresh())
    if has_aux:
        if not (isinstance(out, tuple) and len(out) == 2):
            raise SrcgradError(f"{f.__qualname__}() must return a pair (out, aux) with "
                               f"has_aux=True, not a {type(out).__name__}")
        out, aux = out
    if _is_complex(out):
        raise SrcgradError(f"{f.__qualname__}() returned a complex value; srcgrad differentiates "
                           "real-valued functions only")

    def pullback(dout):
        _, grads = fn(*fresh(), dout)
        return _format(grads, arguments, names, single,
                       fn.unconnected if unconnected == "none" else ())

    return (out, pullback, aux) if has_aux else (out, pullback)


def source(f, wrt=0, mode="reverse", has_aux=False, rules=None):
    """The generated module for ``f`` as Python source text.

    ``f`` may also be a gradient made by :func:`grad`: its source is then the
    forward-over-reverse module that ``grad(grad(f))`` runs.
    """
    if hasattr(f, "__srcgrad_grad__") or hasattr(f, "__srcgrad_source__"):
        from srcgrad.higher import source_of_grad

        return source_of_grad(f)
    if mode not in ("reverse", "forward"):
        raise SrcgradError(f"mode must be 'reverse' or 'forward', not {mode!r}")
    _, params, names, _ = _prepare(f, wrt)
    _check_options("zero", rules)
    return generate(f, names, rules, has_aux=has_aux, mode=mode).text
