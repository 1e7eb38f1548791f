"""The public API: ``grad``, ``value_and_grad``, ``vjp`` and ``source``."""

import builtins
import functools
import hashlib
import inspect
import linecache
import os
import re
import tempfile
import types

from srcgrad import runtime
from srcgrad.errors import SrcgradError
from srcgrad.resolve import Resolver, function_source
from srcgrad.transforms.parser import parse_source
from srcgrad.transforms.program import Program

_CACHE = {}


def _rules():
    from srcgrad.rules import default_rules

    return default_rules()


# -- wrt ---------------------------------------------------------------------
def _positional_params(f):
    try:
        sig = inspect.signature(f)
    except (TypeError, ValueError):
        raise SrcgradError(f"{f!r} is not a Python function srcgrad can read") from None
    params = []
    for p in sig.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.KEYWORD_ONLY):
            raise SrcgradError(
                f"{f.__qualname__} takes *args, **kwargs or keyword-only parameters; "
                "srcgrad differentiates functions with plain parameters"
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

    def __init__(self, text, namespace, entry, filename):
        self.text = text
        self.namespace = namespace
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
    if isinstance(obj, types.ModuleType):
        return f"import {obj.__name__}" if obj.__name__ == alias else (
            f"import {obj.__name__} as {alias}")
    mod = getattr(obj, "__module__", None)
    name = getattr(obj, "__name__", None)
    if mod and name and not isinstance(obj, (int, float, complex, str, bool)):
        return f"from {mod} import {name}" if name == alias else (
            f"from {mod} import {name} as {alias}")
    return None


def generate(f, wrt_names, rules=None, scalar_params=()):
    """Generate the module holding ``<f>_vjp`` for ``f`` and ``wrt_names``.

    ``scalar_params``: parameters the caller passes as Python floats or ints;
    the code generated for them skips shape bookkeeping.
    """
    rules = rules or _rules()
    src, filename, first = function_source(f)
    fndef, info = parse_source(src, filename, first)
    resolver = Resolver(f, rules)
    program = Program()
    entry = program.vjp_function(fndef, info, resolver, wrt_names,
                                 scalar_params=tuple(scalar_params))
    body = program.source()
    namespace = {"rt": runtime}
    imports = ["from srcgrad import runtime as rt"]
    seen = {"rt"}
    generated = {n for n, _ in program.functions}
    needs_np = re.search(r"\bnp\.", body) is not None
    for res, fd in program.resolvers:
        for n in _free_globals(fd):
            if n in seen or n in generated:
                continue
            try:
                obj = res.lookup(n)
            except KeyError:
                if hasattr(builtins, n):
                    continue
                raise SrcgradError(f"name {n!r} used by {fd.name} is not defined") from None
            if hasattr(builtins, n) and getattr(builtins, n) is obj:
                continue
            seen.add(n)
            namespace[n] = obj
            line = _import_line(n, obj)
            if line is None:
                line = f"{n} = {obj!r}"
            imports.append(line)
        for n in res.used_globals:
            if n not in seen and n in res.globals:
                seen.add(n)
                namespace[n] = res.globals[n]
                line = _import_line(n, res.globals[n])
                if line:
                    imports.append(line)
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
    header = (
        f"# Generated by srcgrad {__version__} from {where}:{f.__name__} "
        f"(with respect to {', '.join(wrt_names)}).\n"
    )
    if scalar_params:
        header += f"# Specialized for Python-scalar {', '.join(scalar_params)}.\n"
    header += "# Regenerate it rather than editing it.\n"
    stdlib = sorted(i for i in imports if i.startswith("import "))
    others = sorted(i for i in imports if not i.startswith("import "))
    text = header + "\n".join(stdlib + others) + "\n\n\n" + body
    return Generated(text, namespace, entry, filename)


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


def compiled(f, wrt_names, scalar_params=()):
    """The compiled ``<f>_vjp`` function, generated once per unchanged ``f``."""
    key = (f, tuple(wrt_names), scalar_params)
    hit = _CACHE.get(key)
    if hit is not None and hit[0][0] is f.__code__ and (
            not f.__closure__ or hit[0][1] == _closure_key(f)):
        return hit[1]
    stamp = (f.__code__, _closure_key(f))
    gen = generate(f, wrt_names, scalar_params=scalar_params)
    path = _write_cached(gen.text, f"{f.__module__}_{f.__qualname__}")
    code = compile(gen.text, path, "exec")
    linecache.cache[path] = (len(gen.text), None, gen.text.splitlines(True), path)
    ns = dict(gen.namespace)
    ns["__name__"] = f"srcgrad_generated.{f.__name__}"
    exec(code, ns)
    fn = ns[gen.entry]
    _CACHE[key] = (stamp, fn)
    return fn


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


def _scalar_params(params, args):
    """The parameters given Python floats or ints in this call."""
    return tuple(p for p, a in zip(params, args) if type(a) in (float, int))


def _format(grads, arguments, names, single):
    if len(names) == 1:
        g = runtime.to_float(grads, arguments[names[0]])
        return g if single else (g,)
    return tuple(runtime.to_float(g, arguments[n]) for g, n in zip(grads, names))


def _check_scalar(f, value):
    if type(value) is float:
        return
    shape = runtime.shape(value) if not isinstance(value, (tuple, list)) else None
    if shape is None or shape != ():
        raise SrcgradError(
            f"grad needs {f.__qualname__} to return a scalar, but it returned "
            f"{'a ' + type(value).__name__ if shape is None else 'shape ' + str(shape)}; "
            "use srcgrad.vjp for non-scalar outputs"
        )


def value_and_grad(f, wrt=0):
    """Return a function computing ``(f(*args), gradient of f)``.

    ``wrt`` is a parameter index or name, or a tuple of them (then the
    gradient is a tuple).  ``f`` must return a scalar.
    """
    sig, params, names, single = _prepare(f, wrt)
    compiled(f, names)  # errors surface here, not at the first call

    positions = [params.index(n) for n in names]
    nparams = len(params)

    @functools.wraps(f)
    def value_and_grad_f(*args, **kwargs):
        if kwargs or len(args) != nparams:
            args = _call_args(sig, f, args, kwargs)[0]
        fn = compiled(f, names, _scalar_params(params, args))
        value, grads = fn(*args)
        _check_scalar(f, value)
        if len(positions) == 1:
            g = runtime.to_float(grads, args[positions[0]])
            return value, (g if single else (g,))
        return value, tuple(runtime.to_float(g, args[i]) for g, i in zip(grads, positions))

    return value_and_grad_f


def grad(f, wrt=0):
    """Return a function with ``f``'s signature computing the gradient of ``f``.

    >>> import numpy as np
    >>> from srcgrad import grad
    >>> def f(x):
    ...     return np.sum(x * x)
    >>> grad(f)(np.array([1.0, 2.0]))  # doctest: +SKIP
    array([2., 4.])
    """
    vg = value_and_grad(f, wrt)

    @functools.wraps(f)
    def grad_f(*args, **kwargs):
        return vg(*args, **kwargs)[1]

    return grad_f


def vjp(f, *args, wrt=0):
    """Evaluate ``f(*args)`` and return ``(out, pullback)``.

    ``pullback(dout)`` returns the gradient of ``sum(dout * out)`` with
    respect to ``wrt``; ``dout`` is shaped like ``out`` (a tuple for a tuple
    output).  The pullback can be called any number of times.
    """
    sig, params, names, single = _prepare(f, wrt)
    call_args, arguments = _call_args(sig, f, args, {})
    fn = compiled(f, names, _scalar_params(params, call_args))
    out = f(*call_args)

    def pullback(dout):
        _, grads = fn(*call_args, dout)
        return _format(grads, arguments, names, single)

    return out, pullback


def source(f, wrt=0, mode="reverse"):
    """The generated module for ``f`` as Python source text."""
    if mode != "reverse":
        raise SrcgradError(f"mode={mode!r} is not available yet; use mode='reverse'")
    _, params, names, _ = _prepare(f, wrt)
    return generate(f, names).text
