"""The corpus on a device array type (tests/fakecupy.py): gradients stay on the device.

Two ways a program meets cupy, both run over the whole corpus:

- ``numpy``: the corpus function as written (``np.tanh(x)``...) called with
  device arrays; numpy functions dispatch through the array-function protocol;
- ``cupy``: the function rebound so that its ``np`` is the fake ``cupy``
  module, as if it had been written with ``import cupy as np``; the
  generated code then calls the fake module too.

Every array argument is moved to the fake device (Python numbers stay Python
numbers). Each gradient must be a device array of its argument's shape and
dtype (a Python float for a Python-float argument) equal to the gradient
computed on numpy, which tests/test_corpus.py checks against finite
differences; and the derivative must add no host synchronization of its own
(see fakecupy's docstring). Cases that cannot run this way are listed in
``CANNOT_RUN`` with the reason, and are checked to still fail.
"""

from __future__ import annotations

import contextlib
import functools
import types
import zlib

import fakecupy
import gradcheck
import numpy as np
import pytest
from corpus import CASES, VJP_CASES

import srcgrad

cp = fakecupy.module
TOL = dict(rtol=1e-10, atol=1e-12)

SUPPORTED = {case.id: case for case in CASES if not case.unsupported}
VJPS = {case.id: case for case in VJP_CASES}

# (case id, mode) -> why it cannot run on device arrays. Each is checked to fail.
_HOST_ARRAY = (
    "the function builds a numpy array from Python numbers or a shape ({}) and mixes it with "
    "device arrays, which cupy refuses too; written with cp.* (the cupy mode) it runs")
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
}


def _rng(case_id, salt=""):
    return np.random.default_rng(zlib.crc32((case_id + salt).encode()))


# -- running a corpus function on the fake device -------------------------------

_REBOUND: dict = {}


def _rebind_module(fn):
    """``fn``'s module globals with numpy replaced by fake cupy, its functions rebound."""
    key = id(fn.__globals__)
    if key in _REBOUND:
        return _REBOUND[key]
    new = dict(fn.__globals__)
    for name, value in fn.__globals__.items():
        if value is np:
            new[name] = cp
        elif isinstance(value, np.ndarray):
            new[name] = fakecupy.asarray(value)
    for name, value in fn.__globals__.items():
        if isinstance(value, types.FunctionType) and value.__module__ == fn.__module__:
            new[name] = _rebind(value, new)
    _REBOUND[key] = new
    return new


def _rebind(f, globals_):
    g = types.FunctionType(f.__code__, globals_, f.__name__, f.__defaults__, f.__closure__)
    g.__qualname__ = f.__qualname__
    g.__module__ = f.__module__
    return g


def device_fn(fn, mode):
    if mode == "numpy":
        return fn
    return _rebind_module(fn)[fn.__name__]


def installed(mode):
    """``import cupy`` (which the generated module does in ``cupy`` mode) finds the fake."""
    return fakecupy.installed() if mode == "cupy" else contextlib.nullcontext()


def own_syncs(fn, args):
    """The host synchronizations ``fn`` makes itself, as a Counter."""
    with fakecupy.count_syncs() as own:
        fn(*gradcheck.copy_args(args))
    return own


def check_syncs(syncs, own, float_grads):
    """The derivative adds no synchronization of its own.

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


def check_grad_like(g, x, expected, what):
    if isinstance(x, fakecupy.ndarray):
        assert isinstance(g, fakecupy.ndarray), f"{what}: gradient is a {type(g).__name__}"
        assert g.shape == x.shape and g.dtype == x.dtype, (
            f"{what}: gradient {g.shape} {g.dtype}, argument {x.shape} {x.dtype}")
        np.testing.assert_allclose(g.get(), expected, **TOL, err_msg=what)
    else:
        assert type(g) is type(expected) is float, f"{what}: gradient is a {type(g).__name__}"
        np.testing.assert_allclose(g, expected, **TOL, err_msg=what)


def _params(case_id, mode):
    out = []
    for m in ("numpy", "cupy"):
        if mode not in (None, m):
            continue
        reason = CANNOT_RUN.get((case_id, m))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(case_id, m, id=f"{case_id}-{m}", marks=marks))
    return out


@functools.lru_cache(maxsize=None)
def _numpy_grad(case_id):
    case = SUPPORTED[case_id]
    args = case.args(_rng(case_id))
    return args, srcgrad.grad(case.fn, wrt=case.wrt)(*gradcheck.copy_args(args))


@pytest.mark.parametrize(
    "case_id, mode", [p for cid in SUPPORTED for p in _params(cid, None)])
def test_grad_on_device(case_id, mode):
    case = SUPPORTED[case_id]
    args, expected = _numpy_grad(case_id)
    indices, is_tuple = gradcheck.normalize_wrt(case.fn, case.wrt)
    fn = device_fn(case.fn, mode)
    dev = fakecupy.asarray(args)
    float_grads = sum(type(args[i]) is float for i in indices)
    own = own_syncs(fn, dev)
    with installed(mode), fakecupy.count_syncs() as syncs:
        value, g = srcgrad.value_and_grad(fn, wrt=case.wrt)(*gradcheck.copy_args(dev))
    gs = g if is_tuple else (g,)
    ex = expected if is_tuple else (expected,)
    for k, i in enumerate(indices):
        check_grad_like(gs[k], dev[i], ex[k], f"gradient of argument {i}")
    check_syncs(syncs, own, float_grads)
    if isinstance(value, fakecupy.ndarray):
        value = value.get()
    np.testing.assert_allclose(value, case.fn(*gradcheck.copy_args(args)), **TOL)


@pytest.mark.parametrize(
    "case_id, mode", [p for cid in VJPS for p in _params(cid, None)])
def test_vjp_on_device(case_id, mode):
    case = VJPS[case_id]
    args = case.args(_rng(case_id))
    indices, is_tuple = gradcheck.normalize_wrt(case.fn, case.wrt)
    out, pullback = srcgrad.vjp(case.fn, *gradcheck.copy_args(args), wrt=case.wrt)
    dout = _rng(case_id, "dout").standard_normal(np.shape(out))
    expected = pullback(dout)
    fn = device_fn(case.fn, mode)
    dev = fakecupy.asarray(args)
    float_grads = sum(type(args[i]) is float for i in indices)
    own = own_syncs(fn, dev)
    with installed(mode), fakecupy.count_syncs() as syncs:
        dev_out, dev_pullback = srcgrad.vjp(fn, *gradcheck.copy_args(dev), wrt=case.wrt)
        g = dev_pullback(fakecupy.asarray(dout))
    # vjp runs the function once more than grad does
    check_syncs(syncs, own + own, float_grads)
    assert isinstance(dev_out, fakecupy.ndarray)
    np.testing.assert_allclose(dev_out.get(), out, **TOL)
    gs = g if is_tuple else (g,)
    ex = expected if is_tuple else (expected,)
    for k, i in enumerate(indices):
        check_grad_like(gs[k], dev[i], ex[k], f"vjp of argument {i}")
