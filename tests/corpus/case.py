"""The :class:`Case` record shared by all corpus modules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np


@dataclass(frozen=True)
class Case:
    """One corpus function with its inputs.

    fn:       a module-level function (srcgrad reads it with inspect.getsource).
    args:     ``rng -> tuple`` of fresh arguments (numpy Generator in, float64 data out).
    wrt:      srcgrad's ``wrt``: int index, parameter name, or a tuple of them.
    autograd: whether the autograd oracle can run ``fn`` (it cannot run in-place
              writes into arrays, ``x.copy()`` on traced arrays, ``float()`` of a
              traced value, ...).
    note:     why autograd is off, or anything else worth knowing.
    tag:      distinguishes several cases built on the same function.
    unsupported: for constructs srcgrad rejects, a fragment of the located
              error it must raise; such cases are checked for that error
              instead of a gradient.
    """

    fn: Callable
    args: Callable
    wrt: Any = 0
    autograd: bool = True
    note: str = ""
    tag: str = ""
    unsupported: str = ""

    @property
    def topic(self) -> str:
        return self.fn.__module__.rsplit(".", 1)[-1]

    @property
    def id(self) -> str:
        base = f"{self.topic}.{self.fn.__name__}"
        return f"{base}-{self.tag}" if self.tag else base


def vec(rng, n, lo=-1.0, hi=1.0):
    """A float64 vector with entries uniform in [lo, hi)."""
    return rng.uniform(lo, hi, size=n)


def away(rng, shape, lo=0.2, hi=1.0):
    """Entries with magnitude in [lo, hi) and random sign: away from 0."""
    mag = rng.uniform(lo, hi, size=shape)
    sign = rng.choice([-1.0, 1.0], size=shape)
    return mag * sign


def distinct(rng, n, lo=-1.0, hi=1.0):
    """A shuffled vector whose entries are well separated (no ties for max/min/sort)."""
    base = np.linspace(lo, hi, n)
    step = (hi - lo) / max(n - 1, 1)
    jitter = rng.uniform(-0.25, 0.25, size=n) * step
    return rng.permutation(base + jitter)


def pos(rng, shape, lo=0.5, hi=1.5):
    """Strictly positive entries."""
    return rng.uniform(lo, hi, size=shape)


def flt(rng, lo=-1.0, hi=1.0):
    """A Python float."""
    return float(rng.uniform(lo, hi))
