"""Merging accumulations that share a factor, and first writes into fresh zeros
(transforms/factor.py)."""

from __future__ import annotations

import doctest

import gast
import numpy as np
import pytest
from gradcheck import assert_grads_close, numeric_grad
from srcgrad.transforms import factor
from srcgrad.transforms.ast_util import unparse

import srcgrad


def run(code, keep=()):
    return unparse(factor.factor_accumulations(gast.parse(code).body, set(keep))).strip()


def test_docstring_example():
    assert doctest.testmod(factor).failed == 0


@pytest.mark.parametrize("code, expected", [
    # a common factor: one product and one update
    ("dx += t * a\ndx += t * 2.0", "dx += t * (a + 2.0)"),
    ("dx -= t * np.cos(a)\ndx += b * t", "dx += t * (b - np.cos(a))"),
    ("dx -= t * a\ndx -= t * (b - c)", "dx -= t * (a + (b - c))"),
    # the identity term: a factor of 1
    ("du[1:-1] += g * -2.0\ndu[1:-1] += g", "du[1:-1] += g * -1.0"),
    ("dx += t\ndx += t", "dx += t * 2.0"),
    # a cotangent made by a product counts as its factors, and goes when unused
    ("dc = t * a\ndx = dx - t * b\ndx += dc * math.cos(x)",
     "dx = dx + t * (a * math.cos(x) - b)"),
    # ... but is kept where something else reads it
    ("dc = t * a\ndx -= t * b\ndx += dc * 0.5\nf(dc)",
     "dc = t * a\ndx += t * (a * 0.5 - b)\nf(dc)"),
    ("dc = t * a\ndx -= t * b\ndx += dc * 0.5\ndc += 1.0",
     "dc = t * a\ndx += t * (a * 0.5 - b)\ndc += 1.0"),
    # two levels of products: the identity term of a stencil
    ("d2 = g * r\nd3 = d2 * -2.0\nu[1:-1] += d3\nu[2:] += d2\nu[1:-1] += g",
     "d2 = g * r\nu[2:] += d2\nu[1:-1] += g * (1.0 - r * 2.0)"),
])
def test_merges(code, expected):
    assert run(code) == expected


@pytest.mark.parametrize("code", [
    # no common factor
    "dx += t * a\ndx += s * b",
    # the target is read in between
    "dx += t * a\ny = dx * 2.0\ndx += t * b",
    # a name of the first term changes in between
    "dx += t * a\na = a + 1.0\ndx += t * b",
    "dx += t * a\nt = s\ndx += t * b",
    # the first term rebinds: another write into the target may not pass it
    "dx = dx + t * a\ndx[0] += s\ndx += t * b",
    # not products: a call is one opaque factor, matmul does not commute
    "dx += f(t)\ndx += f(t)",
    "dx += t @ a\ndx += t @ b",
    # different parts of an array
    "du[1:] += t * a\ndu[:-1] += t * b",
    # a term that writes into an array may not move past a read of it
    "da += rt.take_grad(dX, 0) * c\ny = dX * 2\nda += c * 2.0",
    "dc = rt.take_grad(dX, 0) * t\nda += t * 2.0\ny = dX * 2\nda += dc * 3.0",
    # neither rest is surely a number: numpy adds bool arrays as ``or``
    "dx += t * a\ndx += t * b",
    "dx += t * (a < lo)\ndx += t * (b < lo)",
    "dx -= t * m1\ndx += m2 * t * rt.clip_mask(a, lo, hi)",
])
def test_left_alone(code):
    assert run(code) == unparse(gast.parse(code)).strip()


@pytest.mark.parametrize("code, expected", [
    # the first write into a part nothing else wrote since the zeros assigns
    ("a = du[1:-1]\ndu = rt.zeros_like(du)\ndu[:1] = e\ndu[:-2] += b\ndu[1:-1] += a * c",
     "a = du[1:-1]\ndu = rt.zeros_like(du)\ndu[1:-1] = a * c\ndu[:1] = e\ndu[:-2] += b"),
])
def test_first_write_into_zeros(code, expected):
    assert run(code) == expected


@pytest.mark.parametrize("code", [
    # an assignment into an overlapping part
    "du = rt.zeros_like(du)\ndu[:2] = e\ndu[1:-1] += a",
    # the part is read in between
    "du = rt.zeros_like(du)\ny = du[1:-1] * 2.0\ndu[1:-1] += a",
    # a name of the value changes in between
    "du = rt.zeros_like(du)\na = b\ndu[1:-1] += a",
    # the value writes into an array read in between
    "du = rt.zeros_like(du)\ny = dX * 2\ndu[1:] += rt.take_grad(dX, 0) * c",
    # not made of zeros here
    "du = g * 2.0\ndu[1:-1] += a",
])
def test_first_write_left_alone(code):
    assert run(code) == unparse(gast.parse(code)).strip()


def stencil(u, r, n):
    for _ in range(n):
        interior = u[1:-1] + r * (u[2:] - 2.0 * u[1:-1] + u[:-2])
        u = np.concatenate((u[:1], interior, u[-1:]))
    return np.sum(u * u * np.arange(u.shape[0]))


def masked(x, m1, m2, m3):
    y = x * m1 + x * m2 + x * m3
    return np.sum(y * y)


def clipped(a, b, c, lo):
    s = np.clip(a, lo, 5.0) + np.clip(b, lo, 5.0) + np.clip(c, lo, 5.0)
    return np.sum(s * s)


def test_masks_are_not_summed():
    """Two bool masks with a common cotangent: ``m1 + m2`` would be ``m1 or m2``."""
    x = np.array([0.7, -0.4, 0.25, 1.3, 0.4])
    m1 = np.array([True, False, True, True, False])
    m2 = np.array([True, True, False, True, False])
    g = srcgrad.grad(masked)(x, m1, m2, m2)
    w = m1 + 2.0 * m2
    np.testing.assert_allclose(g, 2.0 * x * w * w)
    lo = np.array([0.5, 0.1, 0.3, 1.2, 0.0])
    args = (x, np.array([0.1, -0.3, 0.6, 1.1, -0.2]), np.array([0.2, -0.6, 0.1, 1.0, -0.1]), lo)
    assert_grads_close(srcgrad.grad(clipped, wrt=3)(*args), numeric_grad(clipped, args, 3),
                       False)


def relaxation(x, a, b, n):
    for _ in range(n):
        x = x + 0.1 * (a * np.sin(x) - b * x)
    return np.sum(x * x)


@pytest.mark.parametrize("f, args, wrt", [
    (stencil, (np.linspace(0.0, 1.0, 9) ** 2, 0.2, 3), (0, 1)),
    (relaxation, (np.array([0.3, -0.7, 1.1]), 1.3, 0.4, 4), (0, 1, 2)),
    (relaxation, (0.3, 1.3, 0.4, 4), (0, 1, 2)),
])
def test_gradients(f, args, wrt):
    g = srcgrad.grad(f, wrt=wrt)(*args)
    assert_grads_close(g, numeric_grad(f, args, wrt), True)
