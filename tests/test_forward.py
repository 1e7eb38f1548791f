"""Forward mode and higher derivatives against finite differences and autograd.

- ``jvp`` on every supported corpus case, along a random direction, against
  the finite-difference gradient of the same case (``<grad, v>``);
- ``hvp`` (forward mode over the generated reverse-mode code) on every
  corpus case, against central differences of srcgrad's own gradient; the
  cases it cannot differentiate are listed with the reason and must fail with
  a located ``SrcgradError``, never with a wrong number;
- the API: ``jacobian`` in both modes, ``hessian``, ``grad(grad(f))``, shapes,
  dtypes and errors; autograd as an independent second-order oracle.
"""

from __future__ import annotations

import functools
import math
import zlib

import gradcheck
import numpy as np
import pytest
from corpus import CASES

import srcgrad

SUPPORTED = {c.id: c for c in CASES if not c.unsupported}

# hvp runs forward mode over reverse-mode code; these cases reach constructs
# that this cannot differentiate yet.  Each must fail with a located error
# whose message matches the reason's pattern in HVP_REFUSALS.
HVP_REFUSALS = {
    "view written in place": r":\d+:\d+: .*shares its memory",
    "ldexp": r":\d+:\d+: ldexp\(\) has no derivative",
}
HVP_UNSUPPORTED = {
    # in-place writes while a view is live: refused by the alias check, as in reverse mode
    "writes.write_aug_slice": "view written in place",
    "writes.write_overwrite": "view written in place",
    "writes.write_read_after_write_loop": "view written in place",
    "writes.write_aug_modulo_index": "view written in place",
    "writes.write_row_and_column": "view written in place",
    "writes.write_fancy_aug_repeated": "view written in place",
    "writes.write_ones_like_cumulative": "view written in place",
    "writes.write_conditional_slice-pos": "view written in place",
    "writes.write_conditional_slice-neg": "view written in place",
    "programs.particle_system_inplace": "view written in place",
    "programs.gauss_seidel_inplace": "view written in place",
    # the reverse code reads ldexp's exponent from frexp: a nondiff value on the active path
    "numpy_more.tuples_and_varargs": "ldexp",
}


def _rng(case_id, salt=""):
    return np.random.default_rng(zlib.crc32((case_id + salt).encode()))


def _direction(rng, a):
    if type(a) in (float, int):
        return float(rng.standard_normal())
    if isinstance(a, (list, tuple)):
        return type(a)(_direction(rng, e) for e in a)
    return rng.standard_normal(np.shape(a))


def _dot(g, v):
    if isinstance(v, (list, tuple)):
        return sum(_dot(a, b) for a, b in zip(g, v))
    return float(np.sum(np.asarray(g, dtype=float) * np.asarray(v, dtype=float)))


def _shift(args, idx, vs, s):
    out = list(gradcheck.copy_args(args))
    for i, v in zip(idx, vs):
        if isinstance(v, (list, tuple)):
            out[i] = type(v)(a + s * b for a, b in zip(out[i], v))
        else:
            out[i] = out[i] + s * v
    return out


@functools.lru_cache(maxsize=None)
def _setup(case_id):
    case = SUPPORTED[case_id]
    rng = _rng(case_id, "forward")
    args = case.args(rng)
    idx, is_tuple = gradcheck.normalize_wrt(case.fn, case.wrt)
    vs = [_direction(rng, args[i]) for i in idx]
    return case, args, idx, is_tuple, vs


@pytest.mark.parametrize("case_id", sorted(SUPPORTED))
def test_jvp_matches_finite_differences(case_id):
    case, args, idx, is_tuple, vs = _setup(case_id)
    fd = gradcheck.numeric_grad(case.fn, args, case.wrt)
    fd = fd if is_tuple else (fd,)
    want = sum(_dot(g, v) for g, v in zip(fd, vs))
    tangents = [None] * len(args)
    for i, v in zip(idx, vs):
        tangents[i] = v
    out, t = srcgrad.jvp(case.fn, gradcheck.copy_args(args), tangents)
    np.testing.assert_allclose(out, case.fn(*gradcheck.copy_args(args)), rtol=1e-12)
    np.testing.assert_allclose(t, want, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("case_id", sorted(SUPPORTED))
def test_hvp_matches_differences_of_the_gradient(case_id):
    case, args, idx, is_tuple, vs = _setup(case_id)
    v = tuple(vs) if is_tuple else vs[0]
    if case_id in HVP_UNSUPPORTED:
        reason = HVP_UNSUPPORTED[case_id]
        match = next(m for key, m in HVP_REFUSALS.items() if key in reason)
        with pytest.raises(srcgrad.SrcgradError, match=match):
            srcgrad.hvp(case.fn, case.wrt)(*gradcheck.copy_args(args), v)
        return
    hv = srcgrad.hvp(case.fn, case.wrt)(*gradcheck.copy_args(args), v)
    g = srcgrad.grad(case.fn, case.wrt)
    eps = 1e-5
    gp, gm = g(*_shift(args, idx, vs, eps)), g(*_shift(args, idx, vs, -eps))
    if not is_tuple:
        gp, gm, hv = (gp,), (gm,), (hv,)
    for h, a, b in zip(hv, gp, gm):
        if isinstance(h, (list, tuple)):
            h, a, b = (np.array([np.asarray(e, float) for e in x]) for x in (h, a, b))
        np.testing.assert_allclose(np.asarray(h, float),
                                   (np.asarray(a, float) - np.asarray(b, float)) / (2 * eps),
                                   rtol=1e-4, atol=1e-5)


# -- the API -------------------------------------------------------------------------


def mlp(W, x):
    h = np.tanh(W @ x)
    return np.sum(h * h) + 0.1 * np.sum(W ** 2)


def layer(W, x):
    return np.tanh(W @ x)


def recurrence(a, x0):
    x = x0
    for _ in range(20):
        x = x + 0.1 * (a * math.sin(x) - x)
    return x * x


def branchy(x):
    s = 0.0
    for i in range(x.shape[0]):
        if x[i] > 0:
            s = s + x[i] ** 3
        else:
            s = s - np.sin(x[i])
    return s


@pytest.fixture
def data():
    rng = np.random.default_rng(7)
    return rng.standard_normal((4, 3)) * 0.5, rng.standard_normal(3)


def test_jvp_tuple_output_and_none_tangents(data):
    W, x = data

    def two(W, x):
        y = W @ x
        return np.sum(y), y * 2.0

    v = np.ones_like(x)
    out, (t1, t2) = srcgrad.jvp(two, (W, x), (None, v))
    assert isinstance(out, tuple) and t2.shape == (4,)
    np.testing.assert_allclose(t1, np.sum(W @ v))
    np.testing.assert_allclose(t2, 2 * W @ v)


def test_jvp_keeps_types():
    out, t = srcgrad.jvp(recurrence, (0.7, 0.3), (1.0, 0.0))
    assert type(t) is float
    x = np.linspace(0.1, 1, 5, dtype=np.float32)
    out, t = srcgrad.jvp(branchy, (x,), (np.ones_like(x),))
    assert np.asarray(t).dtype == np.float32


def test_jvp_errors(data):
    W, x = data
    with pytest.raises(srcgrad.SrcgradError, match="shape"):
        srcgrad.jvp(mlp, (W, x), (np.ones(3), None))
    with pytest.raises(srcgrad.SrcgradError, match="one tangent per primal"):
        srcgrad.jvp(mlp, (W, x), (None,))


def test_jacobian_modes_agree_with_finite_differences(data):
    W, x = data
    jr = srcgrad.jacobian(layer, wrt=1)(W, x)
    jf = srcgrad.jacobian(layer, wrt=1, mode="forward")(W, x)
    assert jr.shape == jf.shape == (4, 3)
    np.testing.assert_allclose(jr, jf, rtol=1e-12)
    eps = 1e-6
    cols = [(layer(W, x + eps * e) - layer(W, x - eps * e)) / (2 * eps) for e in np.eye(3)]
    np.testing.assert_allclose(jr, np.stack(cols, axis=1), rtol=1e-6, atol=1e-9)
    jw = srcgrad.jacobian(layer, wrt="W", mode="forward")(W, x)
    assert jw.shape == (4, 4, 3)
    np.testing.assert_allclose(jw, srcgrad.jacobian(layer, wrt="W")(W, x), rtol=1e-12)


def _outputs(W, x):
    h = np.tanh(W @ x)
    return h, np.sum(h * h) * x[1], x[0] * 2.0


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_jacobian_of_a_tuple_output_is_a_tuple_per_output(data, mode):
    W, x = data
    blocks = srcgrad.jacobian(_outputs, wrt=(0, 1), mode=mode)(W, x)
    assert len(blocks) == 3
    eps = 1e-6
    for i, arg in enumerate((W, x)):
        for k, block in enumerate(blocks):
            out = _outputs(W, x)[k]
            assert np.shape(block[i]) == np.shape(out) + arg.shape
            cols = []
            for e in np.eye(arg.size):
                e = e.reshape(arg.shape)
                plus = list((W, x))
                minus = list((W, x))
                plus[i], minus[i] = arg + eps * e, arg - eps * e
                cols.append((np.asarray(_outputs(*plus)[k]) - _outputs(*minus)[k]) / (2 * eps))
            fd = np.stack(cols, axis=-1).reshape(np.shape(out) + arg.shape)
            np.testing.assert_allclose(block[i], fd, rtol=1e-6, atol=1e-9)
    one = srcgrad.jacobian(_outputs, wrt=1, mode=mode)(W, x)
    for k in range(3):
        np.testing.assert_allclose(one[k], blocks[k][1], rtol=1e-12)


def test_jacobian_of_python_numbers_to_a_tuple():
    def two(a, b):
        return a * b, a + b

    for mode in ("reverse", "forward"):
        assert srcgrad.jacobian(two, wrt=(0, 1), mode=mode)(2.0, 3.0) == ((3.0, 2.0),
                                                                          (1.0, 1.0))


def test_jacobian_rejects_nested_outputs(data):
    def nested(W, x):
        return (W @ x, x), x

    with pytest.raises(srcgrad.SrcgradError, match="nested"):
        srcgrad.jacobian(nested, wrt=1)(*data)


def test_hessian_against_autograd(data):
    agnp = pytest.importorskip("autograd.numpy")
    import autograd

    W, x = data

    def mlp_ag(W, x):
        h = agnp.tanh(agnp.dot(W, x))
        return agnp.sum(h * h) + 0.1 * agnp.sum(W ** 2)

    h = srcgrad.hessian(mlp, wrt=1)(W, x)
    np.testing.assert_allclose(h, autograd.hessian(mlp_ag, 1)(W, x), rtol=1e-9, atol=1e-12)
    hw = srcgrad.hessian(mlp, wrt=0)(W, x)
    assert hw.shape == (4, 3, 4, 3)
    np.testing.assert_allclose(hw, autograd.hessian(mlp_ag, 0)(W, x), rtol=1e-9, atol=1e-12)
    blocks = srcgrad.hessian(mlp, wrt=(0, 1))(W, x)
    np.testing.assert_allclose(blocks[1][1], h)
    assert blocks[0][1].shape == (4, 3, 3) and blocks[1][0].shape == (3, 4, 3)
    np.testing.assert_allclose(blocks[0][1], np.moveaxis(blocks[1][0], 0, -1), rtol=1e-10)


def test_hvp_matches_hessian(data):
    W, x = data
    v = np.arange(3.0)
    np.testing.assert_allclose(srcgrad.hvp(mlp, wrt=1)(W, x, v),
                               srcgrad.hessian(mlp, wrt=1)(W, x) @ v, rtol=1e-10)


def test_grad_of_grad():
    def f(a):
        return a ** 3 + math.sin(a) * a

    d2 = srcgrad.grad(srcgrad.grad(f))
    for a in (0.3, -1.2, 2.0):
        want = 6 * a + 2 * math.cos(a) - a * math.sin(a)
        assert d2(a) == pytest.approx(want, rel=1e-12)
    d2r = srcgrad.grad(srcgrad.grad(recurrence, 0), 1)(0.7, 0.3)
    eps = 1e-6
    g = srcgrad.grad(recurrence, 0)
    assert d2r == pytest.approx((g(0.7, 0.3 + eps) - g(0.7, 0.3 - eps)) / (2 * eps), rel=1e-6)


def test_grad_of_grad_needs_a_scalar_gradient(data):
    with pytest.raises(srcgrad.SrcgradError, match="hessian"):
        srcgrad.grad(srcgrad.grad(mlp, 1))(*data)


def test_forward_source_is_readable():
    text = srcgrad.source(recurrence, wrt=(0, 1), mode="forward")
    assert "def recurrence_jvp(a, x0, da, dx0):" in text
    assert "for _ in range(20):" in text
    assert "tape" not in text  # forward mode records nothing
    compile(text, "<forward>", "exec")
    second = srcgrad.source(srcgrad.grad(recurrence))
    assert "_dot" in second and "def recurrence_vjp_jvp" in second
    with pytest.raises(srcgrad.SrcgradError, match="mode"):
        srcgrad.source(recurrence, mode="sideways")


def test_check_grads_forward_mode(data):
    W, x = data
    srcgrad.check_grads(mlp, (W, x), modes=("fwd",), wrt=(0, 1))
    srcgrad.check_grads(mlp, (W, x), order=2, modes=("fwd", "rev"), wrt=1)
    srcgrad.check_grads(recurrence, (0.7, 0.3), modes=("fwd", "rev"))



def test_hvp_and_hessian_show_their_source():
    text = srcgrad.source(srcgrad.hvp(recurrence, wrt=0))
    assert "def recurrence_vjp_jvp(a, x0, dout, a_dot):" in text
    assert srcgrad.source(srcgrad.hessian(recurrence, wrt=0)) == text


# -- user rules, hooks and an independent AD ---------------------------------------------


def softplus(x):
    return np.log1p(np.exp(x))


def softplus_loss(w, x):
    h = softplus(w * x)
    return np.sum(h * h)


def test_user_tangent_rule_is_used_by_jvp():
    from srcgrad.rules import RuleSet, library

    rules = RuleSet(parent=library())

    @srcgrad.tangent(softplus, rules=rules)
    def softplus_tangent(dx, x):
        return dx / (1 + np.exp(-x))

    w, x = np.array([0.3, -0.7]), np.array([1.0, 2.0])
    v = np.array([1.0, -2.0])
    text = srcgrad.source(softplus_loss, wrt="w", mode="forward", rules=rules)
    assert "np.exp(-" in text and "softplus_jvp" not in text  # inlined, not differentiated
    _, t = srcgrad.jvp(softplus_loss, (w, x), (v, None), rules=rules)
    eps = 1e-6
    fd = (softplus_loss(w + eps * v, x) - softplus_loss(w - eps * v, x)) / (2 * eps)
    assert t == pytest.approx(fd, rel=1e-7)

    # a wrong tangent is caught by check_grads
    bad = RuleSet(parent=library())

    @srcgrad.tangent(softplus, rules=bad)
    def softplus_bad(dx, x):
        return 2 * dx / (1 + np.exp(-x))

    _, t_bad = srcgrad.jvp(softplus_loss, (w, x), (v, None), rules=bad)
    assert abs(t_bad - fd) > 1e-3


def test_grad_of_blocks_do_not_run_in_forward_mode():
    def hooked(x):
        h = np.tanh(x)
        with srcgrad.grad_of(h) as dh:
            dh = dh * 0.0
        return np.sum(h * h)

    x = np.array([0.1, 0.5])
    v = np.array([1.0, 1.0])
    _, t = srcgrad.jvp(hooked, (x,), (v,))
    h = np.tanh(x)
    assert t == pytest.approx(float(np.sum(2 * h * (1 - h * h) * v)), rel=1e-12)


AUTOGRAD_IDS = sorted(i for i, c in SUPPORTED.items() if c.autograd)


@pytest.mark.parametrize("case_id", AUTOGRAD_IDS[::3])
def test_jvp_matches_autograd(case_id):
    case, args, idx, is_tuple, vs = _setup(case_id)
    ag = gradcheck.autograd_grad(case.fn, args, case.wrt)
    ag = ag if is_tuple else (ag,)
    want = sum(_dot(g, v) for g, v in zip(ag, vs))
    tangents = [None] * len(args)
    for i, v in zip(idx, vs):
        tangents[i] = v
    _, t = srcgrad.jvp(case.fn, gradcheck.copy_args(args), tangents)
    np.testing.assert_allclose(t, want, rtol=1e-9, atol=1e-11)


def _filled(x):
    return np.sum(np.append(1.0, np.full(3, x)) ** 2)


def test_the_tangent_of_a_filled_array_has_the_array_shape():
    # np.full(3, x) of a Python float x: the tangent is three copies of dx, not dx
    value, tangent = srcgrad.jvp(_filled, (0.5,), (1.0,))
    assert value == pytest.approx(1.75)
    assert tangent == pytest.approx(3 * 2 * 0.5)


def _matvec_of_t(t, b):
    return np.sum(np.sin(t @ b))


def test_a_rule_lambda_does_not_capture_a_variable_of_its_name():
    # the jvp of x1 @ x2 is rt.lin(dx2, lambda t: x1 @ t): with the operand t
    # for x1 it read lambda t: t @ t, the tangent's own square
    t = np.array([[1.0, 2.0], [0.5, -1.0]])
    b = np.array([0.3, 0.7])
    db = np.array([1.0, 0.0])
    _, tangent = srcgrad.jvp(_matvec_of_t, (t, b), (np.zeros_like(t), db))
    eps = 1e-6
    want = (_matvec_of_t(t, b + eps * db) - _matvec_of_t(t, b - eps * db)) / (2 * eps)
    assert tangent == pytest.approx(want, rel=1e-7)
    assert "t @ db" in srcgrad.source(_matvec_of_t, mode="forward", wrt=1)
