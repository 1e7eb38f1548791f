"""srcgrad against the test corpus (tests/corpus).

Oracles: central finite differences (tests/gradcheck.py) for every case, and
autograd for the cases it can run (``Case.autograd``).

The ``test_corpus_*`` tests validate the corpus itself (finite, scalar values;
no kinks under the finite-difference step; autograd agrees with finite
differences; inputs are not mutated). They do not use srcgrad.
"""

from __future__ import annotations

import functools
import inspect
import zlib

import gradcheck
import numpy as np
import pytest
from corpus import CASES, TOPIC_MODULES, VJP_CASES

import srcgrad

CASES_BY_ID = {case.id: case for case in CASES}
# Gradient tests run on the supported cases; the rest must fail with a located error.
SUPPORTED_IDS = [case.id for case in CASES if not case.unsupported]
UNSUPPORTED_IDS = [case.id for case in CASES if case.unsupported]
VJP_BY_ID = {case.id: case for case in VJP_CASES}
AUTOGRAD_IDS = [case.id for case in CASES if case.autograd and not case.unsupported]
VJP_AUTOGRAD_IDS = [case.id for case in VJP_CASES if case.autograd]

# Gradient tolerances: srcgrad vs finite differences, srcgrad vs autograd.
FD_TOL = dict(rtol=1e-5, atol=1e-7)
AD_TOL = dict(rtol=1e-8, atol=1e-10)


def _rng(case_id, salt=""):
    return np.random.default_rng(zlib.crc32((case_id + salt).encode()))


@functools.lru_cache(maxsize=None)
def _reference(case_id):
    """(args, finite-difference gradient) of a scalar corpus case, computed once."""
    case = CASES_BY_ID[case_id]
    args = case.args(_rng(case_id))
    return args, gradcheck.numeric_grad(case.fn, args, case.wrt)


@functools.lru_cache(maxsize=None)
def _vjp_reference(case_id):
    """(args, value, dout, finite-difference vjp) of a non-scalar corpus case."""
    case = VJP_BY_ID[case_id]
    args = case.args(_rng(case_id))
    out = np.asarray(case.fn(*gradcheck.copy_args(args)))
    dout = _rng(case_id, "dout").standard_normal(out.shape)
    return args, out, dout, gradcheck.numeric_vjp(case.fn, args, dout, case.wrt)


def _args(case_id):
    args, _ = _reference(case_id)
    return gradcheck.copy_args(args)


def _assert_unchanged(before, after):
    for a, b in zip(before, after, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


# --------------------------------------------------------------------------
# the corpus itself (no srcgrad)
# --------------------------------------------------------------------------


def test_corpus_size():
    assert len(CASES) >= 150
    assert len(CASES_BY_ID) == len(CASES), "duplicate case ids"
    assert len(VJP_BY_ID) == len(VJP_CASES), "duplicate vjp case ids"
    for module in TOPIC_MODULES:
        assert len(module.CASES) >= 5, module.__name__


@pytest.mark.parametrize("case_id", list(CASES_BY_ID))
def test_corpus_case_is_sound(case_id):
    case = CASES_BY_ID[case_id]
    args, fd = _reference(case_id)
    indices, is_tuple = gradcheck.normalize_wrt(case.fn, case.wrt)
    for i in indices:
        if isinstance(args[i], np.ndarray):
            assert args[i].dtype == np.float64, f"wrt arg {i} has dtype {args[i].dtype}"
        else:
            assert type(args[i]) is float, f"wrt arg {i} is {type(args[i]).__name__}"
    call_args = gradcheck.copy_args(args)
    value = case.fn(*call_args)
    _assert_unchanged(args, call_args)
    assert np.ndim(value) == 0, f"not scalar-valued: shape {np.shape(value)}"
    assert np.isfinite(value)
    # No kink or trip-count change within the step: two step sizes agree.
    fd_coarse = gradcheck.numeric_grad(case.fn, args, case.wrt, eps=1e-5)
    gradcheck.assert_grads_close(fd, fd_coarse, is_tuple, rtol=1e-4, atol=1e-6, what="fd steps")
    if case.autograd:
        ag = gradcheck.autograd_grad(case.fn, args, case.wrt)
        gradcheck.assert_grads_close(ag, fd, is_tuple, **FD_TOL, what="autograd vs fd")


@pytest.mark.parametrize("case_id", list(VJP_BY_ID))
def test_corpus_vjp_case_is_sound(case_id):
    case = VJP_BY_ID[case_id]
    args, out, dout, fd = _vjp_reference(case_id)
    _, is_tuple = gradcheck.normalize_wrt(case.fn, case.wrt)
    assert out.ndim >= 1 and np.all(np.isfinite(out))
    for i in gradcheck.normalize_wrt(case.fn, case.wrt)[0]:
        assert type(args[i]) is float or args[i].dtype == np.float64
    fd_coarse = gradcheck.numeric_vjp(case.fn, args, dout, case.wrt, eps=1e-5)
    gradcheck.assert_grads_close(fd, fd_coarse, is_tuple, rtol=1e-4, atol=1e-6, what="fd steps")
    if case.autograd:
        ag_out, ag = gradcheck.autograd_vjp(case.fn, args, dout, case.wrt)
        np.testing.assert_allclose(ag_out, out, rtol=1e-12)
        gradcheck.assert_grads_close(ag, fd, is_tuple, **FD_TOL, what="autograd vs fd")


# --------------------------------------------------------------------------
# srcgrad
# --------------------------------------------------------------------------


@pytest.mark.parametrize("case_id", SUPPORTED_IDS)
def test_grad_matches_finite_differences(case_id):
    case = CASES_BY_ID[case_id]
    args, fd = _reference(case_id)
    _, is_tuple = gradcheck.normalize_wrt(case.fn, case.wrt)
    call_args = gradcheck.copy_args(args)
    g = srcgrad.grad(case.fn, wrt=case.wrt)(*call_args)
    _assert_unchanged(args, call_args)
    gradcheck.assert_grads_close(g, fd, is_tuple, **FD_TOL, what="srcgrad vs fd")


@pytest.mark.parametrize("case_id", AUTOGRAD_IDS)
def test_grad_matches_autograd(case_id):
    case = CASES_BY_ID[case_id]
    args = _args(case_id)
    _, is_tuple = gradcheck.normalize_wrt(case.fn, case.wrt)
    expected = gradcheck.autograd_grad(case.fn, args, case.wrt)
    g = srcgrad.grad(case.fn, wrt=case.wrt)(*_args(case_id))
    gradcheck.assert_grads_close(g, expected, is_tuple, **AD_TOL, what="srcgrad vs autograd")


@pytest.mark.parametrize("case_id", SUPPORTED_IDS)
def test_value_and_grad(case_id):
    case = CASES_BY_ID[case_id]
    args, fd = _reference(case_id)
    indices, is_tuple = gradcheck.normalize_wrt(case.fn, case.wrt)
    value, g = srcgrad.value_and_grad(case.fn, wrt=case.wrt)(*_args(case_id))
    expected = case.fn(*_args(case_id))
    np.testing.assert_allclose(value, expected, rtol=1e-10, atol=1e-12)
    gradcheck.assert_grad_like(g, args, indices, is_tuple)
    gradcheck.assert_grads_close(g, fd, is_tuple, **FD_TOL, what="value_and_grad vs fd")


@pytest.mark.parametrize("case_id", list(VJP_BY_ID))
def test_vjp_nonscalar_output(case_id):
    case = VJP_BY_ID[case_id]
    args, out, dout, fd = _vjp_reference(case_id)
    indices, is_tuple = gradcheck.normalize_wrt(case.fn, case.wrt)
    value, pullback = srcgrad.vjp(case.fn, *gradcheck.copy_args(args), wrt=case.wrt)
    np.testing.assert_allclose(value, out, rtol=1e-10, atol=1e-12)
    g = pullback(dout)
    gradcheck.assert_grad_like(g, args, indices, is_tuple)
    gradcheck.assert_grads_close(g, fd, is_tuple, **FD_TOL, what="vjp vs fd")
    # The pullback is linear in dout and can be called again.
    g2 = pullback(2.0 * dout)
    g_tuple = g if is_tuple else (g,)
    g2_tuple = g2 if is_tuple else (g2,)
    for a, b in zip(g_tuple, g2_tuple, strict=True):
        np.testing.assert_allclose(b, 2.0 * np.asarray(a), rtol=1e-10, atol=1e-12)


# A handful of scalar cases checked through vjp (dout scales the gradient).
VJP_SCALAR_IDS = [
    "assign.swap_in_loop",
    "loops.zip_two",
    "calls.recursive_horner",
    "indexing.repeated_int_array_index",
    "writes.write_aug_slice",
    "programs.rk4_lotka_volterra",
    "programs.newton_sqrt",
    "programs.particle_system",
]


@pytest.mark.parametrize("case_id", VJP_SCALAR_IDS)
def test_vjp_scalar_output(case_id):
    case = CASES_BY_ID[case_id]
    args, fd = _reference(case_id)
    _, is_tuple = gradcheck.normalize_wrt(case.fn, case.wrt)
    value, pullback = srcgrad.vjp(case.fn, *_args(case_id), wrt=case.wrt)
    np.testing.assert_allclose(value, case.fn(*_args(case_id)), rtol=1e-10, atol=1e-12)
    dout = 0.75
    fd_tuple = fd if is_tuple else (fd,)
    expected = tuple(dout * np.asarray(g) for g in fd_tuple)
    gradcheck.assert_grads_close(
        pullback(dout), expected if is_tuple else expected[0], is_tuple, **FD_TOL, what="vjp"
    )


# Cases with several differentiable arguments: every way of spelling wrt agrees.
TUPLE_WRT_IDS = [
    case.id for case in CASES
    if isinstance(case.wrt, tuple) and len(case.wrt) >= 2 and not case.unsupported
][::6]


@pytest.mark.parametrize("case_id", TUPLE_WRT_IDS)
def test_tuple_wrt_consistency(case_id):
    case = CASES_BY_ID[case_id]
    args, fd = _reference(case_id)
    indices, _ = gradcheck.normalize_wrt(case.fn, case.wrt)
    names = list(inspect.signature(case.fn).parameters)
    full = srcgrad.grad(case.fn, wrt=tuple(indices))(*_args(case_id))
    assert isinstance(full, tuple) and len(full) == len(indices)
    reversed_names = tuple(names[i] for i in reversed(indices))
    backwards = srcgrad.grad(case.fn, wrt=reversed_names)(*_args(case_id))
    for k, i in enumerate(indices):
        single = srcgrad.grad(case.fn, wrt=i)(*_args(case_id))
        by_name = srcgrad.grad(case.fn, wrt=names[i])(*_args(case_id))
        for other in (single, by_name, backwards[len(indices) - 1 - k]):
            np.testing.assert_allclose(other, full[k], rtol=1e-10, atol=1e-12)
        gradcheck.assert_grads_close(full[k], fd[k], False, **FD_TOL, what=f"wrt[{k}]")


@pytest.mark.parametrize("case_id", UNSUPPORTED_IDS)
def test_unsupported_construct_is_a_located_error(case_id):
    case = CASES_BY_ID[case_id]
    with pytest.raises(srcgrad.TransformError) as info:
        srcgrad.grad(case.fn, wrt=case.wrt)
    err = info.value
    text = str(err)
    assert case.unsupported in text
    assert err.filename == inspect.getsourcefile(case.fn)
    assert err.lineno >= 1
    lines = text.splitlines()
    assert lines[0].startswith(f"{err.filename}:{err.lineno}:{err.col + 1}: ")
    assert lines[2].strip() == "^" and lines[1].strip()
    assert lines[-1].startswith("help: ")


def test_corpus_keeps_most_cases_supported():
    assert len(SUPPORTED_IDS) >= 150
