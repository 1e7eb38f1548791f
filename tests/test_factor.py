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
    ("dx += t * a\ndx += t * b", "dx += t * (a + b)"),
    ("dx -= t * a\ndx += b * t", "dx += t * (b - a)"),
    ("dx -= t * a\ndx -= t * b", "dx -= t * (a + b)"),
    # the identity term: a factor of 1
    ("du[1:-1] += g * -2.0\ndu[1:-1] += g", "du[1:-1] += g * (1.0 - 2.0)"),
    # a cotangent made by a product counts as its factors, and goes when unused
    ("dc = t * a\ndx = dx - t * b\ndx += dc * c", "dx = dx + t * (a * c - b)"),
    # ... but is kept where something else reads it
    ("dc = t * a\ndx -= t * b\ndx += dc * c\nf(dc)", "dc = t * a\ndx += t * (a * c - b)\nf(dc)"),
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
