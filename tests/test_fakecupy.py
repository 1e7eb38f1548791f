"""srcgrad on a fake cupy (tests/fakecupy.py): derivatives keep arrays on the device.

The corpus through tests/device_check.py; the fake type itself; every rule
of the registry with device arrays. Programs written with ``cp.`` are in
tests/test_cupy_programs.py.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile

import device_check
import fakecupy
import numpy as np
import pytest
import test_random_programs as random_programs
from hypothesis import HealthCheck, given, note, settings

import srcgrad

FAKE = device_check.Backend(
    name="fakecupy",
    module=fakecupy.module,
    ndarray=fakecupy.ndarray,
    get=fakecupy.ndarray.get,
    count_syncs=fakecupy.count_syncs,
    installed=fakecupy.installed,
)


@pytest.mark.parametrize("case_id, mode", device_check.params(device_check.SUPPORTED))
def test_grad_on_device(case_id, mode):
    device_check.check_grad(FAKE, case_id, mode)


@pytest.mark.parametrize("case_id, mode", device_check.params(device_check.VJPS))
def test_vjp_on_device(case_id, mode):
    device_check.check_vjp(FAKE, case_id, mode)


# -- the fake type itself ---------------------------------------------------------

cp = fakecupy.module


def _x():
    return fakecupy.asarray(np.arange(6.0).reshape(2, 3))


def test_fake_refuses_host_conversion_and_host_arrays():
    x = _x()
    with pytest.raises(TypeError, match="Implicit conversion"):
        np.asarray(x)
    with pytest.raises(TypeError, match="unsupported type numpy.ndarray"):
        x + np.zeros(x.shape)  # an array built from a shape by numpy
    with pytest.raises(TypeError, match="unsupported type numpy.ndarray"):
        np.concatenate([x, np.ones((1, 3))])
    with pytest.raises(AttributeError):
        x.flags.writeable  # cupy's flags have no writeable field  # noqa: B018


def test_fake_keeps_its_type_and_counts_syncs():
    x = _x()
    for value in (np.tanh(x), x.sum(), x[0], x.T, x @ x.T, 2.0 * x, np.float32(2) * x,
                  np.add.reduce(x), x.reshape(3, 2), np.linalg.norm(x), cp.zeros(3),
                  cp.tanh(x), np.eye(3, like=x)):
        assert isinstance(value, fakecupy.ndarray), value
    y = x.copy()
    y[0, 1] = 5.0
    y += 1.0
    np.add.at(y, (cp.asarray(np.array([0, 0])),), 1.0)
    assert y.get().tolist() == [[3.0, 8.0, 5.0], [4.0, 5.0, 6.0]]
    with fakecupy.count_syncs() as syncs:
        float(x.sum())
        if x[0, 0] > -1:
            int(x.shape[0] * x[1, 1])
    assert dict(syncs) == {"float": 1, "bool": 1, "int": 1}


def test_fake_module_is_not_installed_outside_installed():
    assert sys.modules.get("cupy") is not cp
    with fakecupy.installed():
        import cupy

        assert cupy is cp
    assert sys.modules.get("cupy") is not cp


# -- every rule of the registry, with device arrays ----------------------------------


@pytest.mark.parametrize("name, module_id", device_check.rule_params())
def test_rule_on_device(name, module_id):
    device_check.check_rule(FAKE, name, module_id)


# -- random programs (tests/test_random_programs.py) with np bound to the fake cupy ------

_RANDOM_DIR = tempfile.mkdtemp(prefix="srcgrad_fakecupy_")


def _load(src):
    name = "srcgrad_fakecupy_" + hashlib.sha1(src.encode()).hexdigest()[:16]
    path = os.path.join(_RANDOM_DIR, name + ".py")
    with open(path, "w") as fh:
        fh.write(src)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.f


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(random_programs.programs(loops=True))
def test_random_programs_on_device(prog):
    """Gradients of random programs on the fake device equal those on numpy."""
    note(prog.describe())
    f = _load(prog.src)
    args = prog.args()
    indices = prog.wrt_indices()
    expected = srcgrad.grad(f, wrt=prog.wrt)(*[a.copy() if np.ndim(a) else a for a in args])
    fn = device_check.rebound(f, cp, FAKE.to_device)
    dev = FAKE.to_device(args)
    with fakecupy.installed():
        with fakecupy.count_syncs() as own:
            fn(*[a.copy() if np.ndim(a) else a for a in dev])
        with fakecupy.count_syncs() as syncs:
            g = srcgrad.grad(fn, wrt=prog.wrt)(*dev)
    gs, ex = (g, expected) if isinstance(prog.wrt, tuple) else ((g,), (expected,))
    for k, i in enumerate(indices):
        device_check.check_grad_like(FAKE, gs[k], dev[i], ex[k], prog.describe())
    device_check.check_syncs(syncs, own, sum(type(args[i]) is float for i in indices))


@pytest.mark.parametrize("to", [np.asarray, fakecupy.asarray], ids=["numpy", "fake"])
def test_scalar_cotangent_keeps_the_arrays_dtype_and_device(to):
    """dout=1.0 broadcast to a float32 array stays float32 (and on its device), so the
    reverse sweep of float32 code runs in float32."""
    from srcgrad import runtime as rt

    x = to(np.arange(6.0, dtype=np.float32).reshape(2, 3))
    for g in (rt.unbroadcast(1.0, x), rt.sum_grad(1.0, x), rt.sum_grad(1.0, x, (0, 1)),
              rt.mean_grad(1.0, x, (0, 1)), rt.minmax_grad(1.0, np.max(x), x),
              rt.var_grad(1.0, x), rt.trace_grad(1.0, x), rt.to_float(1.0, x)):
        assert type(g) is type(x) and g.dtype == np.float32 and g.shape == x.shape, g


def _weighted_by_numpy_scalars(x, c):
    # np.exp(c) of a Python float is a numpy scalar: so are the cotangents it passes on
    return (np.linalg.norm(x) * np.exp(c) + np.sum(x * x) * np.cos(c)
            + np.median(x) * np.sin(c) + np.vecdot(x, x[::-1]) * np.exp(-c))


def test_numpy_scalar_cotangent_reaches_device_arrays_on_the_device():
    """A host numpy scalar cotangent meeting device arrays (sum_grad, norm, median, vecdot)
    is moved to their device, not broadcast into a host array."""
    import gradcheck

    x, c = np.array([0.3, -1.2, 0.8, 2.0, -0.5]), 0.4
    expected = srcgrad.grad(_weighted_by_numpy_scalars, wrt=(0, 1))(x.copy(), c)
    fd = gradcheck.numeric_grad(_weighted_by_numpy_scalars, (x, c), (0, 1))
    gradcheck.assert_grads_close(expected, fd, True, what="numpy")
    dev = fakecupy.asarray(x)
    with fakecupy.count_syncs() as syncs:
        gx, gc = srcgrad.grad(_weighted_by_numpy_scalars, wrt=(0, 1))(dev, c)
    device_check.check_grad_like(FAKE, gx, dev, expected[0], "gradient of x")
    device_check.check_grad_like(FAKE, gc, c, expected[1], "gradient of c")
    device_check.check_syncs(syncs, {}, 1)
