"""Checks that srcgrad's derivatives run on a cupy-like device array type.

Shared by tests/test_fakecupy.py (the fake type of tests/fakecupy.py, on
every machine) and tests/test_cupy.py (real cupy, where a GPU is there). A
:class:`Backend` says how to reach the array library.

Two ways a program meets cupy, both run over the whole corpus:

- ``numpy``: the corpus function as written (``np.tanh(x)``...) called with
  device arrays; numpy functions dispatch through the array-function protocol;
- ``cupy``: the function rebound so that its ``np`` is the ``cupy`` module, as
  if it had been written with ``import cupy as np``; the generated code then
  calls cupy too.

Every array argument goes to the device (Python numbers stay Python
numbers). Each gradient must be a device array of its argument's shape and
dtype (a Python float for a Python-float argument) equal to the gradient
computed on numpy, which tests/test_corpus.py checks against finite
differences; the arguments must come back unchanged. Where the backend can
count host synchronizations, the derivative must add none of its own (see
:func:`check_syncs`). Cases that cannot run on device arrays are listed in
``CANNOT_RUN`` with the reason, and are checked to still fail.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import math
import types
import zlib
from typing import Any, Callable

import gradcheck
import numpy as np
import pytest
import test_rules_registry as registry_check
from corpus import CASES, VJP_CASES

import srcgrad
from srcgrad import runtime as rt

TOL = dict(rtol=1e-10, atol=1e-12)

SUPPORTED = {case.id: case for case in CASES if not case.unsupported}
VJPS = {case.id: case for case in VJP_CASES}
MODES = ("numpy", "cupy")


@dataclasses.dataclass(frozen=True)
class Backend:
    name: str
    module: Any  # the cupy namespace
    ndarray: type
    get: Callable  # one device array -> numpy
    count_syncs: Callable | None = None  # () -> context manager yielding a Counter
    installed: Callable = contextlib.nullcontext  # () -> context where `import cupy` works

    def to_device(self, value):
        """numpy arrays (also inside lists and tuples) copied to the device."""
        if isinstance(value, np.ndarray):
            return self.module.asarray(value)
        if isinstance(value, (list, tuple)):
            return type(value)(self.to_device(v) for v in value)
        return value


# (case id, mode) -> why it cannot run on device arrays. Each is checked to fail.
_HOST_ARRAY = (
    "the function builds a numpy array from Python numbers or a shape ({}) and mixes it with "
    "device arrays, which cupy refuses; written with cp.* (the cupy mode) it runs")
_ARRAY_OF_DEVICE = (
    "np.array of a list of device values converts each to numpy, which cupy refuses; "
    "cp.array (the cupy mode) works")
CANNOT_RUN: dict[tuple[str, str], str] = {
    ("loops.while_shrink_array", "numpy"): _HOST_ARRAY.format("np.arange"),
    ("indexing.list_index", "numpy"): _HOST_ARRAY.format("np.array([1.0, 2.0, 3.0])"),
    ("writes.write_in_branch", "numpy"): _HOST_ARRAY.format("np.zeros"),
    ("writes.write_int_array_index", "numpy"): _HOST_ARRAY.format("np.zeros"),
    ("writes.write_fancy_aug_repeated", "numpy"): _HOST_ARRAY.format("np.zeros"),
    ("writes.write_shifted_copy_2d", "numpy"): _HOST_ARRAY.format("np.zeros"),
    ("writes.write_scalar_param", "numpy"): _HOST_ARRAY.format("np.ones"),
    ("writes.write_into_column_of_zeros", "numpy"): _HOST_ARRAY.format("np.zeros"),
    ("lists.np_array_of_scalars", "numpy"): _ARRAY_OF_DEVICE,
    ("lists.comprehension", "numpy"): _ARRAY_OF_DEVICE,
    ("lists.comprehension_nested", "numpy"): _ARRAY_OF_DEVICE,
    ("lists.concatenate_list", "numpy"): _HOST_ARRAY.format("np.arange"),
    ("numpy_ops.constructors_arange_linspace_eye", "numpy"): _HOST_ARRAY.format(
        "np.arange, np.linspace, np.eye"),
    ("numpy_ops.sort_values", "numpy"): _HOST_ARRAY.format("np.arange"),
    ("programs.rk4_lotka_volterra", "numpy"): _ARRAY_OF_DEVICE,
    ("programs.euler_trajectory_loss", "numpy"): _HOST_ARRAY.format("np.array"),
    ("programs.rnn_with_outputs", "numpy"): _HOST_ARRAY.format("np.zeros"),
    ("programs.ridge_regression", "numpy"): _HOST_ARRAY.format("np.eye"),
    ("programs.power_iteration", "numpy"): _HOST_ARRAY.format("np.ones"),
    ("vjp_cases.ode_trajectory_out", "numpy"): _ARRAY_OF_DEVICE,
    ("numpy_more.gaussian_nll", "numpy"): _HOST_ARRAY.format("np.eye"),
    ("numpy_more.interpolated_path", "numpy"): _HOST_ARRAY.format("np.linspace"),
    ("numpy_more.tensor_products", "numpy"): _HOST_ARRAY.format("np.eye"),
    ("numpy_more.chained_products", "numpy"): _HOST_ARRAY.format("np.array, np.arange"),
}


def params(ids):
    """pytest params (case id, mode), the cases of CANNOT_RUN marked as failing."""
    out = []
    for case_id in ids:
        for mode in MODES:
            reason = CANNOT_RUN.get((case_id, mode))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            out.append(pytest.param(case_id, mode, id=f"{case_id}-{mode}", marks=marks))
    return out


def _rng(case_id, salt=""):
    return np.random.default_rng(zlib.crc32((case_id + salt).encode()))


# -- running a corpus function with the cupy module ------------------------------

_REBOUND: dict = {}


def rebound(fn, module, to_device=lambda v: v):
    """``fn`` with its module's ``np`` replaced by ``module``, its helpers rebound too.

    Module-level numpy arrays go through ``to_device``.
    """
    key = (id(fn.__globals__), id(module))
    if key not in _REBOUND:
        new = dict(fn.__globals__)
        for name, value in fn.__globals__.items():
            if value is np:
                new[name] = module
            elif isinstance(value, np.ndarray):
                new[name] = to_device(value)
        for name, value in fn.__globals__.items():
            if isinstance(value, types.FunctionType) and value.__module__ == fn.__module__:
                new[name] = _rebind(value, new)
        _REBOUND[key] = new
    return _REBOUND[key][fn.__name__]


def _rebind(f, globals_):
    g = types.FunctionType(f.__code__, globals_, f.__name__, f.__defaults__, f.__closure__)
    g.__qualname__ = f.__qualname__
    g.__module__ = f.__module__
    return g


def device_fn(backend, fn, mode):
    return fn if mode == "numpy" else rebound(fn, backend.module, backend.to_device)


def check_syncs(syncs, own, float_grads):
    """The derivative adds no host synchronization of its own.

    Without any in the function, it makes none but the conversion of each
    Python-float gradient. A function that synchronizes itself (a branch on
    an array value, ``math.exp`` of an array element, Python ``max`` of 0-d
    arrays) gets them repeated: the forward sweep makes them again, and the
    reverse sweep tests each branch and each ``max`` comparison again (once
    per operand) and calls the derivative's ``math`` function; nothing else.
    """
    total, allowed = sum(syncs.values()), 3 * sum(own.values()) + float_grads
    kinds = set(own) | ({"float"} if float_grads else set())
    assert set(syncs) <= kinds and total <= allowed, (
        f"host syncs {dict(syncs)}; the function itself makes {dict(own)}, "
        f"{float_grads} float gradients")


def check_grad_like(backend, g, x, expected, what):
    if isinstance(x, backend.ndarray):
        assert isinstance(g, backend.ndarray), f"{what}: gradient is a {type(g).__name__}"
        assert g.shape == x.shape and g.dtype == x.dtype, (
            f"{what}: gradient {g.shape} {g.dtype}, argument {x.shape} {x.dtype}")
        np.testing.assert_allclose(backend.get(g), expected, **TOL, err_msg=what)
    else:
        assert type(g) is type(expected) is float, f"{what}: gradient is a {type(g).__name__}"
        np.testing.assert_allclose(g, expected, **TOL, err_msg=what)


@contextlib.contextmanager
def _counting(backend):
    if backend.count_syncs is None:
        yield None
    else:
        with backend.count_syncs() as seen:
            yield seen


@functools.lru_cache(maxsize=None)
def _numpy_grad(case_id):
    case = SUPPORTED[case_id]
    args = case.args(_rng(case_id))
    return args, srcgrad.grad(case.fn, wrt=case.wrt)(*gradcheck.copy_args(args))


def check_grad(backend, case_id, mode):
    """grad of a scalar corpus case on device arrays."""
    case = SUPPORTED[case_id]
    args, expected = _numpy_grad(case_id)
    indices, is_tuple = gradcheck.normalize_wrt(case.fn, case.wrt)
    float_grads = sum(type(args[i]) is float for i in indices)
    with backend.installed():
        fn = device_fn(backend, case.fn, mode)
        dev = backend.to_device(args)
        with _counting(backend) as own:
            fn(*gradcheck.copy_args(dev))
        call_args = gradcheck.copy_args(dev)
        with _counting(backend) as syncs:
            value, g = srcgrad.value_and_grad(fn, wrt=case.wrt)(*call_args)
    for before, after in zip(args, call_args, strict=True):  # f's writes went to copies
        if isinstance(after, backend.ndarray):
            np.testing.assert_array_equal(backend.get(after), before)
    gs = g if is_tuple else (g,)
    ex = expected if is_tuple else (expected,)
    for k, i in enumerate(indices):
        check_grad_like(backend, gs[k], dev[i], ex[k], f"gradient of argument {i}")
    if syncs is not None:
        check_syncs(syncs, own, float_grads)
    if isinstance(value, backend.ndarray):
        value = backend.get(value)
    np.testing.assert_allclose(value, case.fn(*gradcheck.copy_args(args)), **TOL)


def check_vjp(backend, case_id, mode):
    """vjp of a non-scalar corpus case on device arrays."""
    case = VJPS[case_id]
    args = case.args(_rng(case_id))
    indices, is_tuple = gradcheck.normalize_wrt(case.fn, case.wrt)
    out, pullback = srcgrad.vjp(case.fn, *gradcheck.copy_args(args), wrt=case.wrt)
    dout = _rng(case_id, "dout").standard_normal(np.shape(out))
    expected = pullback(dout)
    float_grads = sum(type(args[i]) is float for i in indices)
    with backend.installed():
        fn = device_fn(backend, case.fn, mode)
        dev = backend.to_device(args)
        with _counting(backend) as own:
            fn(*gradcheck.copy_args(dev))
        with _counting(backend) as syncs:
            dev_out, dev_pullback = srcgrad.vjp(fn, *gradcheck.copy_args(dev), wrt=case.wrt)
            g = dev_pullback(backend.to_device(dout))
    if syncs is not None:  # vjp runs the function once more than grad does
        check_syncs(syncs, own + own, float_grads)
    assert isinstance(dev_out, backend.ndarray)
    np.testing.assert_allclose(backend.get(dev_out), out, **TOL)
    gs = g if is_tuple else (g,)
    ex = expected if is_tuple else (expected,)
    for k, i in enumerate(indices):
        check_grad_like(backend, gs[k], dev[i], ex[k], f"vjp of argument {i}")


# -- programs written with cp. (tests/cupy_programs.py) ------------------------------


def _u(rng, *shape):
    return rng.uniform(-1.0, 1.0, size=shape)


# name -> (rng -> numpy arguments, wrt)
PROGRAMS = {
    "mlp": (lambda r: (_u(r, 4, 3), _u(r, 4), _u(r, 2, 4), _u(r, 3), _u(r, 2)), (0, 1, 2)),
    "elementwise": (lambda r: (_u(r, 5),), 0),
    "reductions": (lambda r: (_u(r, 3, 4),), 0),
    "solve_system": (lambda r: (_u(r, 3, 3) + 3.0 * np.eye(3), _u(r, 3)), (0, 1)),
    "recurrence": (lambda r: (0.5 * _u(r, 3, 3), _u(r, 3), 4), (0, 1)),
    "scatter": (lambda r: (_u(r, 6), r.permutation(6)[:3]), 0),
    "writes_argument": (lambda r: (_u(r, 4),), 0),
    "joins": (lambda r: (_u(r, 3), _u(r, 3)), (0, 1)),
    "branchy": (lambda r: (_u(r, 4) + 0.3,), 0),
    "picks": (lambda r: (_u(r, 5), _u(r, 5)), (0, 1)),
    "scalar_param": (lambda r: (_u(r, 4), 0.7), (0, 1)),
    "imported_by_name": (lambda r: (_u(r, 4),), 0),
}


def load_programs(module_name):
    """tests/cupy_programs.py imported afresh as ``module_name`` (``import cupy`` must work)."""
    import importlib.util
    import os
    import sys

    path = os.path.join(os.path.dirname(__file__), "cupy_programs.py")
    spec = importlib.util.spec_from_file_location(module_name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = mod
    spec.loader.exec_module(mod)
    return mod


def on_numpy(fn):
    """A cupy program rebound to numpy (``cp`` -> numpy, ``la`` -> numpy.linalg)."""
    new = dict(fn.__globals__)
    cupy = fn.__globals__["cp"]
    for name, value in fn.__globals__.items():
        if isinstance(value, types.ModuleType) and value.__name__.split(".")[0] == "cupy":
            new[name] = np.linalg if value.__name__ == "cupy.linalg" else np
        elif value is getattr(cupy, name, None):
            new[name] = getattr(np, name)  # from cupy import tanh
    return _rebind(fn, new)


def check_program(backend, programs, name):
    """A cp. program: generated code calls cp., gradients match numpy's and stay on the device."""
    fn = getattr(programs, name)
    make_args, wrt = PROGRAMS[name]
    args = make_args(np.random.default_rng(zlib.crc32(name.encode())))
    ref = on_numpy(fn)
    indices, is_tuple = gradcheck.normalize_wrt(fn, wrt)
    expected = srcgrad.grad(ref, wrt=wrt)(*gradcheck.copy_args(args))
    fd = gradcheck.numeric_grad(ref, args, wrt)
    gradcheck.assert_grads_close(expected, fd, is_tuple, rtol=1e-5, atol=1e-7, what=name)
    float_grads = sum(type(args[i]) is float for i in indices)
    with backend.installed():
        text = srcgrad.source(fn, wrt=wrt)
        dev = backend.to_device(args)
        with _counting(backend) as own:
            fn(*gradcheck.copy_args(dev))
        call_args = gradcheck.copy_args(dev)
        with _counting(backend) as syncs:
            g = srcgrad.grad(fn, wrt=wrt)(*call_args)
    assert "import cupy as cp" in text and "np." not in text and "numpy" not in text, text
    for before, after in zip(args, call_args, strict=True):
        if isinstance(after, backend.ndarray):
            np.testing.assert_array_equal(backend.get(after), before)
    gs = g if is_tuple else (g,)
    ex = expected if is_tuple else (expected,)
    for k, i in enumerate(indices):
        check_grad_like(backend, gs[k], dev[i], ex[k], f"{name}: gradient of argument {i}")
    if syncs is not None:
        check_syncs(syncs, own, float_grads)


# -- every numpy rule of the registry ------------------------------------------------

RULE_NAMES = [
    n for n in registry_check.NAMES
    if n.startswith("numpy.") and registry_check.RULES.get(n).name == n
    and not registry_check.RULES.get(n).nondiff
]
# np.array does not dispatch: numpy converts each device array in the list itself
RULES_CANNOT_RUN = {
    ("numpy.array", "np"): _ARRAY_OF_DEVICE,
    ("numpy.asarray", "np"): _ARRAY_OF_DEVICE,
    ("numpy.full", "np"): (
        "np.full dispatches on like= only: it makes a numpy array of the shape and copies the "
        "device fill_value into it, which cupy refuses; cp.full (the cupy mode) works"),
}


def rule_params():
    """pytest params (rule name, "np" or "cp"): templates with np = numpy or = cupy."""
    out = []
    for name in RULE_NAMES:
        for mid in ("np", "cp"):
            reason = RULES_CANNOT_RUN.get((name, mid))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            out.append(pytest.param(name, mid, id=f"{name}-{mid}", marks=marks))
    return out


def _call_on(rule, module):
    """The primitive, called the way user code on ``module`` would call it."""
    if rule.name.startswith("numpy.ndarray."):
        meth = rule.name.rsplit(".", 1)[1]
        return lambda self, *args, **kwargs: getattr(self, meth)(*args, **kwargs)
    obj = module
    for part in rule.name.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def _templates(rule, module):
    """The rule's vjp templates (``vjp_<param>(g, ans, *params)``) and jvp, np = module."""
    ns = {"np": module, "rt": rt, "math": math}
    names = [p.name for p in rule.params]
    src = "".join(
        f"def vjp_{p}({', '.join(['g', 'ans'] + names)}):\n    return {t}\n"
        for p, t in rule.vjp.items())
    if rule.jvp:
        tangents = ["d" + n for n in names]
        src += f"def jvp({', '.join(['ans'] + names + tangents)}):\n    return {rule.jvp}\n"
    exec(compile(src, f"<rule {rule.name}>", "exec"), ns)
    return ns


def _same(backend, actual, expected, what, on_device=True):
    """Equal values and dtypes; a device array where numpy gave an array (when on_device)."""
    if isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected), what
        for a, e in zip(actual, expected, strict=True):
            _same(backend, a, e, what, on_device)
        return
    if on_device and isinstance(expected, np.ndarray) and expected.ndim:
        assert isinstance(actual, backend.ndarray), f"{what}: a {type(actual).__name__}"
    if isinstance(expected, np.ndarray) and isinstance(actual, backend.ndarray):
        assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype}, {expected.dtype}"
    if isinstance(actual, backend.ndarray):
        actual = backend.get(actual)
    tol = dict(rtol=1e-5, atol=1e-6) if np.result_type(expected) == np.float32 else TOL
    np.testing.assert_allclose(actual, expected, **tol, err_msg=what)


def _random_like(rng, tree, dtype):
    return registry_check.tmap(
        lambda v: rng.standard_normal(np.shape(v)).astype(dtype) if np.ndim(v) else float(
            rng.standard_normal()), tree)


def check_rule(backend, name, module_id):
    """vjp and jvp templates give, on device arrays, the values and dtypes they give on numpy.

    (tests/test_rules_registry.py checks the numpy results against finite
    differences.) ``np`` in the templates is numpy (the array-function
    protocol dispatches) or the cupy module; inputs in float64 and float32.
    """
    module = np if module_id == "np" else backend.module
    rule = registry_check.RULES.get(name)
    on_host, on_device = _templates(rule, np), _templates(rule, module)
    fn_host, fn_device = _call_on(rule, np), _call_on(rule, module)
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    with backend.installed():
        for args64 in registry_check.CASES[name]:
            for dtype in (np.float64, np.float32):
                args = args64 if dtype == np.float64 else {
                    k: registry_check.to_float32(v) for k, v in args64.items()}
                _check_rule_case(backend, rule, args, dtype, module is np, rng,
                                 (on_host, on_device, fn_host, fn_device))


def _check_rule_case(backend, rule, args, dtype, dispatch, rng, fns):
    on_host, on_device, fn_host, fn_device = fns
    name = rule.name
    bound = registry_check.defaults(rule, args)
    ans = registry_check.call(rule, fn_host, args)
    dev_args = {k: backend.to_device(v) for k, v in args.items()}
    dev_bound = {k: backend.to_device(v) for k, v in bound.items()}
    with _counting(backend) as own:
        dev_ans = registry_check.call(rule, fn_device, dev_args)
    # numpy called with Python numbers only (np.array([1.0, 2.0])) makes a numpy array
    want_device = not dispatch or any(
        isinstance(v, np.ndarray) for v in registry_check.leaves(list(args.values())))
    results = [(dev_ans, ans, f"{name}: value")]  # compared after counting syncs
    g = _random_like(rng, ans, dtype)
    with _counting(backend) as syncs:
        for p in registry_check.active_params(rule, args):
            expected = on_host[f"vjp_{p}"](g, ans, *bound.values())
            actual = on_device[f"vjp_{p}"](backend.to_device(g), dev_ans, *dev_bound.values())
            if p in rule.broadcast:
                expected = rt.unbroadcast(expected, bound[p])
                actual = rt.unbroadcast(actual, dev_bound[p])
            results.append((actual, expected, f"{name}: vjp of {p} ({args})"))
            if rule.jvp:
                t = _random_like(rng, args[p], dtype)
                tangents = {"d" + q: 0.0 for q in bound}
                tangents["d" + p] = t
                expected = on_host["jvp"](ans, *bound.values(), *tangents.values())
                tangents["d" + p] = backend.to_device(t)
                actual = on_device["jvp"](dev_ans, *dev_bound.values(), *tangents.values())
                results.append((actual, expected, f"{name}: jvp in {p} ({args})"))
    for actual, expected, what in results:
        _same(backend, actual, expected, what, want_device)
    if syncs is not None:
        check_syncs(syncs, own + own, 0)
