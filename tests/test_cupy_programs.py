"""Programs written with ``import cupy as cp`` (tests/cupy_programs.py), on the fake cupy.

The generated code calls ``cp.`` (the caller's alias), never numpy; the
gradients are fake device arrays equal to those of the same programs on numpy,
which are checked against finite differences.
"""

from __future__ import annotations

import device_check
import fakecupy
import pytest
from test_fakecupy import FAKE

with fakecupy.installed():
    PROGRAMS = device_check.load_programs("cupy_programs_on_fakecupy")


@pytest.mark.parametrize("name", list(device_check.PROGRAMS))
def test_cupy_program(name):
    device_check.check_program(FAKE, PROGRAMS, name)


def test_generated_code_uses_the_callers_alias():
    with fakecupy.installed():
        text = device_check.srcgrad.source(PROGRAMS.solve_system, wrt=(0, 1))
    assert "cp.linalg.solve(cp.swapaxes(A, -1, -2)" in text, text
    assert "la.solve(A, b)" in text, text
