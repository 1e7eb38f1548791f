"""The public API: grad, value_and_grad, vjp, source, caching and generated files."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
import traceback

import numpy as np
import pytest

import srcgrad
import srcgrad.api


def f_xy(x, y):
    return np.sum(np.sin(x) * y)


def df_xy(x, y):
    return np.cos(x) * y, np.sin(x)


X = np.array([0.3, -0.7, 1.1])
Y = np.array([0.5, 2.0, -1.5])


# -- grad and value_and_grad ----------------------------------------------------------
@pytest.mark.parametrize("wrt,which", [(0, 0), (1, 1), ("x", 0), ("y", 1), (-1, 1), (-2, 0)])
def test_grad_single_wrt(wrt, which):
    g = srcgrad.grad(f_xy, wrt=wrt)(X, Y)
    assert isinstance(g, np.ndarray) and g.shape == (3,)
    np.testing.assert_allclose(g, df_xy(X, Y)[which], rtol=1e-12)


def test_grad_default_wrt_is_first_parameter():
    np.testing.assert_allclose(srcgrad.grad(f_xy)(X, Y), df_xy(X, Y)[0], rtol=1e-12)


@pytest.mark.parametrize("wrt", [(0, 1), ("x", "y"), (0, "y")])
def test_grad_tuple_wrt_gives_tuple(wrt):
    g = srcgrad.grad(f_xy, wrt=wrt)(X, Y)
    assert isinstance(g, tuple) and len(g) == 2
    for got, want in zip(g, df_xy(X, Y)):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_grad_reversed_tuple_wrt_keeps_order():
    gy, gx = srcgrad.grad(f_xy, wrt=(1, 0))(X, Y)
    np.testing.assert_allclose(gx, df_xy(X, Y)[0], rtol=1e-12)
    np.testing.assert_allclose(gy, df_xy(X, Y)[1], rtol=1e-12)


def test_grad_singleton_tuple_wrt_gives_1_tuple():
    g = srcgrad.grad(f_xy, wrt=(1,))(X, Y)
    assert isinstance(g, tuple) and len(g) == 1
    np.testing.assert_allclose(g[0], df_xy(X, Y)[1], rtol=1e-12)


def scalar_fn(a, b):
    return a * a * b + np.sin(a)


def test_float_argument_gives_python_float():
    ga, gb = srcgrad.grad(scalar_fn, wrt=(0, 1))(0.5, 3.0)
    assert type(ga) is float and type(gb) is float
    assert ga == pytest.approx(2 * 0.5 * 3.0 + np.cos(0.5), rel=1e-12)
    assert gb == pytest.approx(0.25, rel=1e-12)


def test_float32_array_gives_float32_gradient():
    x = X.astype(np.float32)
    y = Y.astype(np.float32)
    g = srcgrad.grad(f_xy)(x, y)
    assert g.dtype == np.float32 and g.shape == (3,)
    np.testing.assert_allclose(g, df_xy(X, Y)[0], rtol=1e-5)


def test_value_and_grad():
    value, g = srcgrad.value_and_grad(f_xy, wrt=(0, 1))(X, Y)
    assert value == pytest.approx(f_xy(X, Y), rel=1e-12)
    for got, want in zip(g, df_xy(X, Y)):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    value, g = srcgrad.value_and_grad(f_xy)(X, Y)
    assert isinstance(g, np.ndarray)


def test_grad_keeps_name_and_accepts_keywords():
    g = srcgrad.grad(f_xy, wrt="y")
    assert g.__name__ == "f_xy"
    np.testing.assert_allclose(g(X, y=Y), df_xy(X, Y)[1], rtol=1e-12)


def test_grad_does_not_mutate_inputs():
    x, y = X.copy(), Y.copy()
    srcgrad.grad(f_xy, wrt=(0, 1))(x, y)
    np.testing.assert_array_equal(x, X)
    np.testing.assert_array_equal(y, Y)


def unconnected(x, y):
    return np.sum(x * x)


def test_unconnected_input_gets_zero_gradient_of_its_shape_and_dtype():
    x = np.array([1.0, 2.0])
    y = np.ones((2, 3), dtype=np.float32)
    gx, gy = srcgrad.grad(unconnected, wrt=(0, 1))(x, y)
    np.testing.assert_allclose(gx, 2 * x)
    assert isinstance(gy, np.ndarray)
    assert gy.shape == (2, 3) and gy.dtype == np.float32
    assert not np.any(gy)


def test_unconnected_float_input_gets_python_zero():
    gy = srcgrad.grad(unconnected, wrt=1)(np.array([1.0, 2.0]), 3.0)
    assert type(gy) is float and gy == 0.0


def power_loop(x, n, k):
    y = x * 1.0
    for _ in range(n):
        y = y * x
    return np.sum(y) * k


def test_integer_arguments_alongside_float_ones():
    x = np.array([0.5, -1.5, 2.0])
    g = srcgrad.grad(power_loop)(x, 3, 2)
    np.testing.assert_allclose(g, 2 * 4 * x**3, rtol=1e-12)
    gk = srcgrad.grad(power_loop, wrt="k")(x, 3, 2.0)
    assert gk == pytest.approx(np.sum(x**4), rel=1e-12)


# -- vjp --------------------------------------------------------------------------------
def elementwise(x, y):
    return np.sin(x) * y


def two_outputs(x, y):
    return np.sin(x) * y, np.sum(x * x)


def test_vjp_non_scalar_output():
    out, pullback = srcgrad.vjp(elementwise, X, Y, wrt=(0, 1))
    np.testing.assert_allclose(out, elementwise(X, Y))
    dout = np.array([1.0, -2.0, 0.5])
    gx, gy = pullback(dout)
    np.testing.assert_allclose(gx, dout * np.cos(X) * Y, rtol=1e-12)
    np.testing.assert_allclose(gy, dout * np.sin(X), rtol=1e-12)


def test_vjp_pullback_twice_is_consistent_and_linear():
    _, pullback = srcgrad.vjp(elementwise, X, Y)
    d1 = np.array([1.0, -2.0, 0.5])
    d2 = np.array([0.1, 0.2, 0.3])
    first = pullback(d1)
    again = pullback(d1)
    np.testing.assert_array_equal(first, again)
    other = pullback(d2)
    np.testing.assert_allclose(pullback(d1 + 2 * d2), first + 2 * other, rtol=1e-12)
    np.testing.assert_allclose(first, d1 * np.cos(X) * Y, rtol=1e-12)


def test_vjp_tuple_output():
    out, pullback = srcgrad.vjp(two_outputs, X, Y, wrt=0)
    assert isinstance(out, tuple) and len(out) == 2
    np.testing.assert_allclose(out[0], np.sin(X) * Y)
    assert out[1] == pytest.approx(np.sum(X * X))
    d0 = np.array([1.0, 0.5, -1.0])
    g = pullback((d0, 2.0))
    np.testing.assert_allclose(g, d0 * np.cos(X) * Y + 2.0 * 2 * X, rtol=1e-12)
    g2 = pullback((d0, 2.0))
    np.testing.assert_array_equal(g, g2)
    only_second = pullback((np.zeros(3), 1.0))
    np.testing.assert_allclose(only_second, 2 * X, rtol=1e-12)


def test_vjp_scalar_output_matches_grad():
    out, pullback = srcgrad.vjp(f_xy, X, Y, wrt=1)
    assert out == pytest.approx(f_xy(X, Y))
    np.testing.assert_allclose(pullback(1.0), srcgrad.grad(f_xy, wrt=1)(X, Y), rtol=1e-12)
    np.testing.assert_allclose(pullback(3.0), 3.0 * df_xy(X, Y)[1], rtol=1e-12)


# -- source -----------------------------------------------------------------------------
@pytest.mark.parametrize("wrt", [0, 1, (0, 1), "y"])
def test_source_is_compilable_python(wrt):
    text = srcgrad.source(f_xy, wrt=wrt)
    assert isinstance(text, str) and text.strip()
    compile(text, "<srcgrad.source>", "exec")


def test_source_bad_mode():
    with pytest.raises(srcgrad.SrcgradError):
        srcgrad.source(f_xy, mode="no-such-mode")


# -- caching ----------------------------------------------------------------------------
@pytest.fixture
def generate_calls(monkeypatch):
    calls = []
    real = srcgrad.api.generate

    def spy(f, *args, **kwargs):
        calls.append(f)
        return real(f, *args, **kwargs)

    monkeypatch.setattr(srcgrad.api, "generate", spy)
    return calls


def test_second_grad_of_unchanged_function_does_not_regenerate(generate_calls):
    def fresh(x):  # a new function object: nothing cached for it yet
        return np.sum(np.tanh(x) * x)

    g1 = srcgrad.grad(fresh)
    r1 = g1(X)
    n = len(generate_calls)
    assert n >= 1
    g2 = srcgrad.grad(fresh)
    r2 = g2(X)
    g1(X)
    assert len(generate_calls) == n, "grad of an unchanged function generated code again"
    np.testing.assert_array_equal(r1, r2)


def test_replaced_code_object_regenerates(generate_calls):
    def target(x):
        return np.sum(x * x)

    def replacement(x):
        return np.sum(x * x * x)

    np.testing.assert_allclose(srcgrad.grad(target)(X), 2 * X)
    n = len(generate_calls)
    target.__code__ = replacement.__code__  # what a reload / autoreload does
    np.testing.assert_allclose(srcgrad.grad(target)(X), 3 * X**2, rtol=1e-12)
    assert len(generate_calls) > n


def test_redefined_function_in_reloaded_module_regenerates(tmp_path, monkeypatch,
                                                           generate_calls):
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    mod_path = tmp_path / "srcgrad_api_reload_mod.py"
    mod_path.write_text("import numpy as np\n\n\ndef f(x):\n    return np.sum(x * x)\n")
    mod = importlib.import_module("srcgrad_api_reload_mod")
    try:
        np.testing.assert_allclose(srcgrad.grad(mod.f)(X), 2 * X)
        n = len(generate_calls)
        mod_path.write_text(
            "import numpy as np\n\n\ndef f(x):\n    return np.sum(np.sin(x)) + 0.0\n")
        importlib.invalidate_caches()
        mod = importlib.reload(mod)
        np.testing.assert_allclose(srcgrad.grad(mod.f)(X), np.cos(X), rtol=1e-12)
        assert len(generate_calls) > n
    finally:
        sys.modules.pop("srcgrad_api_reload_mod", None)


# -- generated code lives in real files -------------------------------------------------------
def test_runtime_error_traceback_points_into_a_cached_file(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("SRCGRAD_CACHE_DIR", str(cache))

    def picks(x, k):  # defined here so nothing is cached for it
        y = np.sin(x)
        return y[k] * 2.0

    with pytest.raises(IndexError):
        picks(X, 7)  # the user's own code raises...
    with pytest.raises(IndexError) as info:
        srcgrad.grad(picks)(X, 7)  # ...and so does its gradient
    frames = traceback.extract_tb(info.value.__traceback__)
    generated = [fr for fr in frames
                 if os.path.dirname(os.path.abspath(fr.filename)) == str(cache)]
    assert generated, "no traceback frame in the cache directory:\n" + "".join(
        traceback.format_list(frames))
    for fr in generated:
        assert fr.filename.endswith(".py") and os.path.isfile(fr.filename)
        assert fr.line, f"no source line for generated frame {fr}"


def test_cache_dir_receives_generated_module(tmp_path, monkeypatch):
    cache = tmp_path / "cache2"
    monkeypatch.setenv("SRCGRAD_CACHE_DIR", str(cache))

    def local(x):
        return np.sum(np.exp(x))

    srcgrad.grad(local)(X)
    files = [p for p in os.listdir(cache) if p.endswith(".py")]
    assert files
    for name in files:
        compile((cache / name).read_text(), name, "exec")


# -- packaging ----------------------------------------------------------------------------
def test_import_srcgrad_transforms():
    code = "import srcgrad.transforms, srcgrad.transforms.reverse; print('ok')"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "ok"


NO_NUMPY = textwrap.dedent("""
    import importlib, importlib.util, pkgutil, sys, types

    class BlockNumpy:
        def find_spec(self, name, path=None, target=None):
            if name == "numpy" or name.startswith("numpy."):
                raise ImportError("numpy is blocked in this test")
            return None

    sys.meta_path.insert(0, BlockNumpy())
    # srcgrad/__init__ needs numpy (the runtime does); load srcgrad.transforms on
    # its own, under a bare parent package, as a numpy-free tool would.
    spec = importlib.util.find_spec("srcgrad")
    parent = types.ModuleType("srcgrad")
    parent.__path__ = list(spec.submodule_search_locations)
    sys.modules["srcgrad"] = parent
    import srcgrad.transforms as t
    names = sorted(m.name for m in pkgutil.iter_modules(t.__path__))
    assert "reverse" in names, names
    for name in names:
        importlib.import_module("srcgrad.transforms." + name)
    leaked = sorted(m for m in sys.modules if m == "numpy" or m.startswith("numpy."))
    assert not leaked, leaked
    print(" ".join(names))
""")


def test_transforms_do_not_import_numpy():
    res = subprocess.run([sys.executable, "-c", NO_NUMPY], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "reverse" in res.stdout.split()


def test_a_global_two_modules_bind_differently_is_refused(tmp_path, monkeypatch):
    # the generated module holds one namespace: the caller's K must not become the callee's
    (tmp_path / "sg_modb.py").write_text(textwrap.dedent("""\
        import numpy as np
        K = 2.0

        def gb(x, a):
            if a is None:
                return x
            return np.tanh(x) * a * K
        """))
    (tmp_path / "sg_moda.py").write_text(textwrap.dedent("""\
        import numpy as np
        from sg_modb import gb
        K = 1.0

        def f(x, a):
            return np.sum(gb(x, a) * K)
        """))
    monkeypatch.syspath_prepend(str(tmp_path))
    moda = importlib.import_module("sg_moda")
    with pytest.raises(srcgrad.SrcgradError, match="'K' means different things"):
        srcgrad.grad(moda.f, wrt=(0, 1))(np.array([0.3, -0.2]), 0.7)
