"""Reference gradients for the srcgrad test corpus.

Two independent oracles:

* :func:`numeric_grad` -- central finite differences in float64.
* :func:`autograd_grad` -- runs a corpus function under autograd by rebinding
  its globals (``np`` -> ``autograd.numpy``, ``math`` -> a shim backed by
  ``autograd.numpy``), together with every plain Python function of the same
  module, so user helpers called by ``f`` are traced too.

Both follow srcgrad's ``wrt`` convention: an int index, a parameter name, or a
tuple of them (a tuple gives a tuple of gradients).
"""

from __future__ import annotations

import copy
import inspect
import math
import types

import numpy as np

__all__ = [
    "normalize_wrt",
    "numeric_grad",
    "numeric_vjp",
    "autograd_fn",
    "autograd_grad",
    "autograd_vjp",
    "assert_grads_close",
    "assert_grad_like",
    "copy_args",
]


# --------------------------------------------------------------------------
# wrt handling
# --------------------------------------------------------------------------


def normalize_wrt(f, wrt):
    """Return ``(indices, is_tuple)`` for an srcgrad-style ``wrt``."""
    params = list(inspect.signature(f).parameters)
    is_tuple = isinstance(wrt, (tuple, list))
    items = list(wrt) if is_tuple else [wrt]
    indices = []
    for item in items:
        if isinstance(item, str):
            indices.append(params.index(item))
        else:
            indices.append(int(item))
    return tuple(indices), is_tuple


def copy_args(args):
    """Deep-copy an argument tuple so a call cannot disturb later calls."""
    return tuple(copy.deepcopy(a) for a in args)


# --------------------------------------------------------------------------
# finite differences
# --------------------------------------------------------------------------


def _scalar(value):
    arr = np.asarray(value, dtype=np.float64)
    if arr.size != 1:
        raise ValueError(f"function is not scalar-valued (shape {arr.shape})")
    return float(arr.reshape(()))


def _fd_one(fun, args, index, eps):
    """Central differences of scalar ``fun`` wrt ``args[index]``."""
    x = args[index]

    def call_with(value):
        new = list(copy_args(args))
        new[index] = value
        return _scalar(fun(*new))

    if isinstance(x, np.ndarray):
        x = np.asarray(x, dtype=np.float64)
        g = np.zeros_like(x)
        flat = g.reshape(-1)
        for k in range(x.size):
            xp = x.copy()
            xm = x.copy()
            h = eps * max(1.0, abs(float(x.flat[k])))
            xp.flat[k] += h
            xm.flat[k] -= h
            flat[k] = (call_with(xp) - call_with(xm)) / (2.0 * h)
        return g
    x = float(x)
    h = eps * max(1.0, abs(x))
    return (call_with(x + h) - call_with(x - h)) / (2.0 * h)


def numeric_grad(f, args, wrt=0, eps=1e-6):
    """Finite-difference gradient of scalar ``f`` at ``args``."""
    indices, is_tuple = normalize_wrt(f, wrt)
    grads = tuple(_fd_one(f, tuple(args), i, eps) for i in indices)
    return grads if is_tuple else grads[0]


def numeric_vjp(f, args, dout, wrt=0, eps=1e-6):
    """Finite-difference vector-Jacobian product ``dout^T J`` of ``f``."""
    dout = np.asarray(dout, dtype=np.float64)

    def scalarized(*a):
        return np.sum(np.asarray(f(*a), dtype=np.float64) * dout)

    scalarized.__signature__ = inspect.signature(f)
    return numeric_grad(scalarized, args, wrt=wrt, eps=eps)


# --------------------------------------------------------------------------
# autograd oracle
# --------------------------------------------------------------------------


def _math_shim():
    import autograd.numpy as anp

    table = {
        "sin": anp.sin,
        "cos": anp.cos,
        "tan": anp.tan,
        "asin": anp.arcsin,
        "acos": anp.arccos,
        "atan": anp.arctan,
        "atan2": anp.arctan2,
        "sinh": anp.sinh,
        "cosh": anp.cosh,
        "tanh": anp.tanh,
        "asinh": anp.arcsinh,
        "acosh": anp.arccosh,
        "atanh": anp.arctanh,
        "exp": anp.exp,
        "expm1": anp.expm1,
        "log": lambda x, base=None: anp.log(x) if base is None else anp.log(x) / anp.log(base),
        "log2": anp.log2,
        "log10": anp.log10,
        "log1p": anp.log1p,
        "sqrt": anp.sqrt,
        "pow": lambda x, y: x**y,
        "fabs": anp.abs,
        "hypot": lambda x, y: anp.sqrt(x * x + y * y),
    }
    shim = types.ModuleType("math_autograd_shim")
    for name in dir(math):
        if not name.startswith("_"):
            setattr(shim, name, getattr(math, name))
    for name, fn in table.items():
        setattr(shim, name, fn)
    try:
        from autograd.scipy.special import erf

        shim.erf = erf
    except ImportError:  # pragma: no cover - depends on scipy
        pass
    return shim


_MODULE_CACHE: dict = {}


def _rebound_globals(module_globals, module_name):
    """A copy of a module's globals with numpy/math and its functions rebound."""
    import autograd.numpy as anp

    key = id(module_globals)
    cached = _MODULE_CACHE.get(key)
    if cached is not None and cached[0] is module_globals:
        return cached[1]
    shim = _math_shim()
    new_globals = dict(module_globals)
    for name, value in module_globals.items():
        if value is np:
            new_globals[name] = anp
        elif value is math:
            new_globals[name] = shim
    for name, value in module_globals.items():
        if isinstance(value, types.FunctionType) and value.__module__ == module_name:
            new_globals[name] = _rebind(value, new_globals)
    _MODULE_CACHE[key] = (module_globals, new_globals)
    return new_globals


def _rebind(f, new_globals):
    g = types.FunctionType(f.__code__, new_globals, f.__name__, f.__defaults__, f.__closure__)
    g.__kwdefaults__ = copy.copy(f.__kwdefaults__)
    g.__qualname__ = f.__qualname__
    g.__doc__ = f.__doc__
    g.__wrapped_original__ = f
    return g


def autograd_fn(f):
    """``f`` rebound to run on autograd.numpy (and a math shim)."""
    new_globals = _rebound_globals(f.__globals__, f.__module__)
    rebound = new_globals.get(f.__name__)
    if getattr(rebound, "__wrapped_original__", None) is f:
        return rebound
    return _rebind(f, new_globals)


def _to_float64(args):
    out = []
    for a in args:
        if isinstance(a, np.ndarray) and np.issubdtype(a.dtype, np.floating):
            out.append(a.astype(np.float64))
        else:
            out.append(a)
    return tuple(out)


def autograd_grad(f, args, wrt=0):
    """Gradient of scalar ``f`` computed by autograd."""
    import autograd

    indices, is_tuple = normalize_wrt(f, wrt)
    g = autograd_fn(f)
    argnum = indices if is_tuple else indices[0]
    return autograd.grad(g, argnum)(*copy_args(_to_float64(args)))


def autograd_vjp(f, args, dout, wrt=0):
    """``(out, dout^T J)`` computed by autograd."""
    import autograd

    indices, is_tuple = normalize_wrt(f, wrt)
    g = autograd_fn(f)
    argnum = indices if is_tuple else indices[0]
    pullback, out = autograd.make_vjp(g, argnum)(*copy_args(_to_float64(args)))
    return out, pullback(dout)


# --------------------------------------------------------------------------
# assertions
# --------------------------------------------------------------------------


def _as_tuple(g, is_tuple):
    if is_tuple:
        assert isinstance(g, tuple), f"expected a tuple of gradients, got {type(g).__name__}"
        return g
    return (g,)


def assert_grads_close(actual, expected, wrt_is_tuple, rtol=1e-5, atol=1e-7, what=""):
    """Compare gradients; ``atol`` is scaled by the size of the expected gradient."""
    actual = _as_tuple(actual, wrt_is_tuple)
    expected = _as_tuple(expected, wrt_is_tuple)
    assert len(actual) == len(expected), f"{what}: {len(actual)} gradients, want {len(expected)}"
    for k, (a, e) in enumerate(zip(actual, expected, strict=True)):
        a = np.asarray(a, dtype=np.float64)
        e = np.asarray(e, dtype=np.float64)
        assert a.shape == e.shape, f"{what}[{k}]: shape {a.shape} != {e.shape}"
        assert np.all(np.isfinite(e)), f"{what}[{k}]: reference gradient not finite: {e}"
        scale = max(1.0, float(np.max(np.abs(e)))) if e.size else 1.0
        np.testing.assert_allclose(a, e, rtol=rtol, atol=atol * scale, err_msg=f"{what}[{k}]")


def assert_grad_like(grad, args, indices, is_tuple):
    """A gradient must have its argument's shape and dtype (float for a float arg)."""
    grads = _as_tuple(grad, is_tuple)
    assert len(grads) == len(indices)
    for g, i in zip(grads, indices, strict=True):
        x = args[i]
        if isinstance(x, np.ndarray):
            assert isinstance(g, np.ndarray), f"arg {i}: gradient is {type(g).__name__}"
            assert g.shape == x.shape, f"arg {i}: shape {g.shape} != {x.shape}"
            assert g.dtype == x.dtype, f"arg {i}: dtype {g.dtype} != {x.dtype}"
        elif isinstance(x, float):
            assert type(g) is float, f"arg {i}: gradient is {type(g).__name__}, want float"
        else:  # pragma: no cover - corpus only differentiates floats/arrays
            raise AssertionError(f"arg {i} of type {type(x).__name__} is not differentiable")
