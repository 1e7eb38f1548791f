"""The numpy API as a whole: coverage, complex inputs, linalg edge cases.

The rules themselves are checked one by one in test_rules_registry.py; here
the guarantees around them, through the public API.
"""

from __future__ import annotations

import numpy as np
import pytest

import srcgrad
from srcgrad.rules import default_rules

RULES = default_rules()


def _differentiable():
    return [n for n in RULES.names()
            if RULES.resolve_alias(n) == n and not RULES.get(n).nondiff]


def test_coverage_at_least_250_with_reverse_and_forward_rules():
    both = [n for n in _differentiable() if RULES.get(n).vjp and RULES.get(n).jvp]
    assert len(both) >= 250, len(both)


def test_every_numpy_rule_has_a_forward_rule():
    missing = [n for n in _differentiable() if n.startswith("numpy.") and not RULES.get(n).jvp]
    assert not missing, missing


@pytest.mark.parametrize("name", [
    "average", "cumprod", "column_stack", "split", "array_split", "pad", "diagonal",
    "atleast_1d", "atleast_2d", "atleast_3d", "vdot", "inner", "tensordot", "kron", "cross",
    "take", "take_along_axis", "select", "convolve", "correlate", "interp",
    "linalg.inv", "linalg.det", "linalg.slogdet", "linalg.cholesky", "linalg.eigh",
    "linalg.qr", "linalg.svd", "linalg.pinv", "linalg.matrix_power", "linalg.lstsq",
    "linalg.solve", "linalg.norm", "ndarray.prod", "ndarray.cumsum", "ndarray.cumprod",
    "ndarray.var", "ndarray.std", "ndarray.take", "ndarray.diagonal", "ndarray.trace",
    "ndarray.clip", "ndarray.repeat", "ndarray.swapaxes", "ndarray.squeeze",
    "ndarray.flatten", "ndarray.ravel", "ndarray.astype",
])
def test_issue_coverage_list(name):
    rule = RULES.get(f"numpy.{name}")
    assert rule is not None and not rule.nondiff and rule.jvp


# -- complex numbers: a clear error, never a silently wrong gradient -----------------


def norm_of_tanh(x):
    return np.sum(np.tanh(x) ** 2)


def svd_energy(a):
    return np.sum(np.linalg.svd(a, compute_uv=False))


def complex_inside(x):
    z = x.astype(np.complex128)
    return np.sum(np.abs(z * z))


def complex_output(x):
    return np.sum(x) * 1j


@pytest.mark.parametrize("fn, arg", [
    (norm_of_tanh, np.array([1.0 + 2.0j, 0.5])),
    (norm_of_tanh, 1.0 + 0.5j),
    (svd_energy, np.eye(2, dtype=np.complex64)),
])
def test_complex_arguments_are_refused(fn, arg):
    with pytest.raises(srcgrad.SrcgradError, match="complex"):
        srcgrad.grad(fn)(arg)
    with pytest.raises(srcgrad.SrcgradError, match="complex"):
        srcgrad.value_and_grad(fn)(arg)
    with pytest.raises(srcgrad.SrcgradError, match="complex"):
        srcgrad.vjp(fn, arg)


def test_complex_arguments_not_differentiated_are_refused_too():
    def scaled(x, c):
        return np.sum(np.real(c * x))

    with pytest.raises(srcgrad.SrcgradError, match="argument 'c' is complex"):
        srcgrad.grad(scaled)(np.ones(2), np.array([1j, 2.0]))


def test_complex_intermediates_and_outputs_are_refused():
    with pytest.raises(srcgrad.SrcgradError, match="complex dtype"):
        srcgrad.grad(complex_inside)(np.array([1.0, 2.0]))
    with pytest.raises(srcgrad.SrcgradError, match="complex"):
        srcgrad.grad(complex_output)(np.array([1.0, 2.0]))


# -- linalg edge cases, as documented in docs/numpy.md ---------------------------------


def logdet_inv(a):
    return np.sum(np.linalg.inv(a))


def eigenvalues_only(a):
    w, v = np.linalg.eigh(a)
    return np.sum(w * w)


def eigenvectors_used(a):
    w, v = np.linalg.eigh(a)
    return np.sum(v[:, 0] * np.arange(1.0, 4.0))


def test_singular_matrix_raises_linalg_error():
    with pytest.raises(np.linalg.LinAlgError):
        srcgrad.grad(logdet_inv)(np.ones((3, 3)))


def test_repeated_eigenvalues():
    a = np.diag([1.0, 1.0, 2.0])
    # eigenvalues alone: finite, and right (d sum(w^2) / dA = 2 A for symmetric A,
    # read from the lower triangle)
    g = srcgrad.grad(eigenvalues_only)(a)
    assert np.allclose(g, np.tril(2 * a + 2 * a.T) - np.diag(np.diag(2 * a)))
    # eigenvectors of a repeated eigenvalue have no derivative: not a finite number
    g = srcgrad.grad(eigenvectors_used)(a)
    assert not np.all(np.isfinite(g))


def tall_svd(a):
    u, s, vh = np.linalg.svd(a)
    return np.sum(u) + np.sum(s)


def reflect_pad(x):
    return np.sum(np.pad(x, 2, mode="mean") ** 2)


@pytest.mark.parametrize("fn, arg, match", [
    (tall_svd, np.arange(6.0).reshape(3, 2), "full_matrices=False"),
    (reflect_pad, np.arange(3.0), "mode='mean'"),
])
def test_unsupported_arguments_say_what_to_do(fn, arg, match):
    with pytest.raises(srcgrad.SrcgradError, match=match):
        srcgrad.grad(fn)(arg)


# -- an argument without a gradient rule must not depend on what is differentiated -----


def fill_with_mean(x):
    m = np.nanmean(x)
    return np.sum(np.nan_to_num(x, nan=m) ** 2)


def test_active_argument_without_derivative_is_a_located_error():
    with pytest.raises(srcgrad.TransformError) as info:
        srcgrad.grad(fill_with_mean)
    text = str(info.value)
    assert "no derivative with respect to its argument 'nan'" in text
    assert "test_numpy_api.py:" in text and "^" in text
