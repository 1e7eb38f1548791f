"""Functions are read through their source: files, notebook cells, and where that fails."""

import linecache

import numpy as np
import pytest

import srcgrad


def _define(src, filename, register):
    if register:
        linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    namespace = {}
    exec(compile(src, filename, "exec"), namespace)
    return namespace


def test_function_from_a_notebook_cell():
    # IPython and Jupyter keep each cell's source in linecache under a name
    # like this one; that is all inspect.getsource needs.
    src = "import numpy as np\n\ndef f(x):\n    return np.sum(np.sin(x) * x)\n"
    ns = _define(src, "<ipython-input-7-0123456789ab>", register=True)
    x = np.array([0.3, -1.2])
    np.testing.assert_allclose(srcgrad.grad(ns["f"])(x), np.cos(x) * x + np.sin(x))
    text = srcgrad.source(ns["f"])
    assert "<ipython-input-7-0123456789ab>:f" in text.splitlines()[0]


def test_helper_defined_in_the_same_cell_is_differentiated():
    src = (
        "import numpy as np\n\n"
        "def helper(v):\n    return v * v\n\n"
        "def f(x):\n    return np.sum(helper(x) + x)\n"
    )
    ns = _define(src, "<ipython-input-8-0123456789ab>", register=True)
    x = np.array([0.5, 2.0])
    np.testing.assert_allclose(srcgrad.grad(ns["f"])(x), 2 * x + 1)


def test_function_without_source_gets_a_clear_error():
    ns = _define("def g(x):\n    return x * x\n", "<string>", register=False)
    with pytest.raises(srcgrad.SrcgradError) as info:
        srcgrad.grad(ns["g"])
    message = str(info.value)
    assert "cannot read the source of 'g'" in message
    assert "notebook" in message and "exec()" in message


def test_every_deliberate_error_is_a_srcgrad_error():
    assert issubclass(srcgrad.TransformError, srcgrad.SrcgradError)
    ns = _define("def h(x):\n    try:\n        return x\n    except ValueError:\n"
                 "        return x\n", "<ipython-input-9-0123456789ab>", register=True)
    with pytest.raises(srcgrad.SrcgradError):
        srcgrad.grad(ns["h"])
