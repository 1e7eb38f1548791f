"""The device checks of tests/test_fakecupy.py and tests/test_cupy_programs.py on real cupy.

Runs where ``import cupy`` works and a GPU is there; skipped otherwise (CI
has no GPU: there the fake of tests/fakecupy.py stands in). Host
synchronizations are not counted here (the fake does that); everything else
is checked the same way: gradients are cupy arrays of the right shape, dtype
and value, arguments are left unchanged, the generated code of ``cp.``
programs calls ``cp.``.
"""

from __future__ import annotations

import device_check
import pytest


def _cupy_or_reason():
    try:
        import cupy
    except ImportError as exc:
        return None, f"cupy is not installed ({exc}); pip install srcgrad[cupy] on a GPU machine"
    try:
        if cupy.cuda.runtime.getDeviceCount() < 1:
            return None, "cupy is installed but sees no GPU"
        cupy.zeros(1).sum().get()
    except Exception as exc:  # noqa: BLE001 - any CUDA failure means: no usable GPU
        return None, f"cupy is installed but cannot use a GPU: {type(exc).__name__}: {exc}"
    return cupy, None


cupy, REASON = _cupy_or_reason()
if cupy is None:
    pytest.skip(REASON, allow_module_level=True)

REAL = device_check.Backend(name="cupy", module=cupy, ndarray=cupy.ndarray, get=cupy.asnumpy)


@pytest.fixture(scope="module")
def programs():
    return device_check.load_programs("cupy_programs_on_cupy")


@pytest.mark.parametrize("case_id, mode", device_check.params(device_check.SUPPORTED))
def test_grad_on_cupy(case_id, mode):
    device_check.check_grad(REAL, case_id, mode)


@pytest.mark.parametrize("case_id, mode", device_check.params(device_check.VJPS))
def test_vjp_on_cupy(case_id, mode):
    device_check.check_vjp(REAL, case_id, mode)


@pytest.mark.parametrize("name", list(device_check.PROGRAMS))
def test_cupy_program_on_cupy(programs, name):
    device_check.check_program(REAL, programs, name)


@pytest.mark.parametrize("name, module_id", device_check.rule_params())
def test_rule_on_cupy(name, module_id):
    device_check.check_rule(REAL, name, module_id)
