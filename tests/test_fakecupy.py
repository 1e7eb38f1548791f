"""srcgrad on a fake cupy (tests/fakecupy.py): derivatives keep arrays on the device.

The corpus through tests/device_check.py; the fake type itself; every rule
of the registry with device arrays. Programs written with ``cp.`` are in
tests/test_cupy_programs.py.
"""

from __future__ import annotations

import math
import sys
import zlib

import device_check
import fakecupy
import numpy as np
import pytest
import test_rules_registry as registry_check

from srcgrad import runtime as rt

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

RULE_NAMES = [
    n for n in registry_check.NAMES
    if n.startswith("numpy.") and registry_check.RULES.get(n).name == n
    and not registry_check.RULES.get(n).nondiff
]


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
    """The rule's vjp templates (param -> f(g, ans, *params)) and jvp, with np = module."""
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


def _same(actual, expected, what, on_device=True):
    """Equal values; a device array where numpy gave an array (when on_device)."""
    if isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected), what
        for a, e in zip(actual, expected, strict=True):
            _same(a, e, what, on_device)
        return
    if on_device and isinstance(expected, np.ndarray) and expected.ndim:
        assert isinstance(actual, fakecupy.ndarray), f"{what}: a {type(actual).__name__}"
        actual = actual.get()
    elif isinstance(actual, fakecupy.ndarray):
        actual = actual.get()
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-14, err_msg=what)


# np.array does not dispatch: numpy converts each device array in the list itself
RULES_CANNOT_RUN = {
    ("numpy.array", "np"): device_check._ARRAY_OF_DEVICE,
    ("numpy.asarray", "np"): device_check._ARRAY_OF_DEVICE,
}


def _rule_params():
    out = []
    for name in RULE_NAMES:
        for module, mid in ((np, "np"), (cp, "cp")):
            reason = RULES_CANNOT_RUN.get((name, mid))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            out.append(pytest.param(name, module, id=f"{name}-{mid}", marks=marks))
    return out


@pytest.mark.parametrize("name, module", _rule_params())
def test_rule_on_device(name, module):
    """vjp and jvp templates give, on device arrays, what they give on numpy.

    (tests/test_rules_registry.py checks the numpy results against finite
    differences.) ``np`` in the templates is numpy (the array-function
    protocol dispatches) or the cupy module.
    """
    rule = registry_check.RULES.get(name)
    on_host, on_device = _templates(rule, np), _templates(rule, module)
    fn_host, fn_device = _call_on(rule, np), _call_on(rule, module)
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    for args in registry_check.CASES[name]:
        bound = registry_check.defaults(rule, args)
        ans = registry_check.call(rule, fn_host, args)
        dev_args = {k: fakecupy.asarray(v) for k, v in args.items()}
        dev_bound = {k: fakecupy.asarray(v) for k, v in bound.items()}
        with fakecupy.count_syncs() as own:
            dev_ans = registry_check.call(rule, fn_device, dev_args)
        # numpy called with Python numbers only (np.array([1.0, 2.0])) makes a numpy array
        want_device = module is cp or any(
            isinstance(v, np.ndarray) for v in registry_check.leaves(list(args.values())))
        _same(dev_ans, ans, f"{name}: value", want_device)
        g = registry_check.tmap(
            lambda v: rng.standard_normal(np.shape(v)) if np.ndim(v) else float(
                rng.standard_normal()), ans)
        results = []  # (on the device, on numpy, what): compared after counting syncs
        with fakecupy.count_syncs() as syncs:
            for p in registry_check.active_params(rule, args):
                expected = on_host[f"vjp_{p}"](g, ans, *bound.values())
                actual = on_device[f"vjp_{p}"](fakecupy.asarray(g), dev_ans, *dev_bound.values())
                if p in rule.broadcast:
                    expected = rt.unbroadcast(expected, bound[p])
                    actual = rt.unbroadcast(actual, dev_bound[p])
                results.append((actual, expected, f"{name}: vjp of {p} ({args})"))
                if rule.jvp:
                    t = registry_check.tmap(
                        lambda v: rng.standard_normal(np.shape(v)) if np.ndim(v) else float(
                            rng.standard_normal()), args[p])
                    tangents = {"d" + q: 0.0 for q in bound}
                    tangents["d" + p] = t
                    expected = on_host["jvp"](ans, *bound.values(), *tangents.values())
                    tangents["d" + p] = fakecupy.asarray(t)
                    actual = on_device["jvp"](dev_ans, *dev_bound.values(), *tangents.values())
                    results.append((actual, expected, f"{name}: jvp in {p} ({args})"))
        for actual, expected, what in results:
            _same(actual, expected, what, want_device)
        device_check.check_syncs(syncs, own + own, 0)
