"""Writes through shared memory: a located error where the gradient would be wrong."""

import inspect

import numpy as np
import pytest
from alias_cases import cases
from gradcheck import numeric_grad

import srcgrad

REFUSED = [
    (cases.view_read_after_write, (np.array([0.3, -0.7, 1.1]), 0.4)),
    (cases.plain_alias_written, (np.array([0.3, -0.7, 1.1]), 0.4)),
    (cases.transpose_view, (np.arange(6.0).reshape(2, 3) / 7, 0.4)),
    (cases.reshape_view, (np.arange(6.0).reshape(2, 3) / 7, 0.4)),
    (cases.augmented_through_view, (np.arange(6.0).reshape(2, 3) / 7,)),
    (cases.list_holds_the_array, (np.array([0.3, -0.7, 1.1]), 0.4)),
]

ACCEPTED = [
    (cases.view_read_before_write, (np.array([0.3, -0.7, 1.1]), 0.4), (0, 1)),
    (cases.copy_then_write, (np.array([0.3, -0.7, 1.1]), 0.4), (0, 1)),
    (cases.rebound_each_iteration, (np.array([0.3, -0.7, 1.1, 0.2]), 3), 0),
    (cases.float_alias_augmented, (0.8,), 0),
    (cases.stencil_in_place, (np.array([0.3, -0.7, 1.1, 0.2, 0.5]), 0.2), (0, 1)),
]


def _marked_line(fn):
    lines, first = inspect.getsourcelines(fn)
    for k, line in enumerate(lines):
        if "# error:" in line:
            return first + k, line.split("# error:")[1].strip()
    raise AssertionError(f"{fn.__name__} has no '# error:' marker")


@pytest.mark.parametrize("fn,args", REFUSED, ids=lambda v: getattr(v, "__name__", ""))
def test_write_that_changes_a_live_alias_is_refused(fn, args):
    lineno, snippet = _marked_line(fn)
    with pytest.raises(srcgrad.TransformError) as info:
        srcgrad.grad(fn)(*args)
    err = info.value
    assert err.lineno == lineno, str(err)
    assert err.line.strip().startswith(snippet), str(err)
    assert "shares its memory" in err.message
    assert ".copy()" in err.hint


@pytest.mark.parametrize("fn,args,wrt", ACCEPTED, ids=lambda v: getattr(v, "__name__", ""))
def test_writes_without_a_live_alias_are_differentiated(fn, args, wrt):
    got = srcgrad.grad(fn, wrt=wrt)(*[a.copy() if isinstance(a, np.ndarray) else a
                                      for a in args])
    expected = numeric_grad(fn, args, wrt)
    got, expected = (got, expected) if isinstance(wrt, tuple) else ((got,), (expected,))
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-8)
