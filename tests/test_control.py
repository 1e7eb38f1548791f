"""Control over the gradient: has_aux, unconnected, stop_gradient, custom rules,
custom_gradient, grad_of hooks and check_grads.

Gradients are compared with autograd (on an equivalent plain function) and
with central finite differences (``gradcheck``).
"""

from __future__ import annotations

import inspect

import gradcheck
import numpy as np
import pytest

import srcgrad
from srcgrad.rules import RuleSet, library

RNG = np.random.default_rng(5)
W = RNG.standard_normal(3)
X = RNG.standard_normal(3)
M = RNG.standard_normal((2, 3))


def marker_line(fn, snippet):
    """The file line number of ``fn``'s source line containing ``snippet``."""
    lines, first = inspect.getsourcelines(fn)
    return first + next(i for i, t in enumerate(lines) if snippet in t)


def fresh_rules():
    return RuleSet(parent=library())


# -- has_aux -------------------------------------------------------------------------
def aux_loss(w, x):
    h = np.tanh(w * x)
    loss = np.sum(h * h)
    return loss, h * 2


def aux_loss_plain(w, x):
    h = np.tanh(w * x)
    return np.sum(h * h)


def aux_in_branches(w, x):
    if np.sum(x) > 0:
        return np.sum(np.sin(w) * x), [w, x]
    return np.sum(w * w), [x, w]


def aux_not_a_pair(w, x):
    pair = helper_pair(w, x)
    return pair  # error: return pair


def helper_pair(w, x):
    return np.sum(w * x), x


def test_has_aux_grad_returns_gradient_and_aux():
    g, aux = srcgrad.grad(aux_loss, has_aux=True)(W, X)
    np.testing.assert_allclose(g, gradcheck.autograd_grad(aux_loss_plain, (W, X)), rtol=1e-12)
    np.testing.assert_allclose(aux, 2 * np.tanh(W * X))


def test_has_aux_value_and_grad():
    (value, aux), (gw, gx) = srcgrad.value_and_grad(aux_loss, wrt=(0, 1), has_aux=True)(W, X)
    assert value == pytest.approx(aux_loss_plain(W, X))
    np.testing.assert_allclose(aux, 2 * np.tanh(W * X))
    ref = gradcheck.numeric_grad(aux_loss_plain, (W, X), (0, 1))
    np.testing.assert_allclose(gw, ref[0], rtol=1e-6)
    np.testing.assert_allclose(gx, ref[1], rtol=1e-6)


def test_has_aux_aux_is_not_differentiated():
    text = srcgrad.source(aux_loss, has_aux=True)
    assert "dout[" not in text and "daux" not in text
    for x in (X, -np.abs(X)):
        g, aux = srcgrad.grad(aux_in_branches, has_aux=True)(W, x)
        plain = lambda w, x: aux_in_branches(w, x)[0]  # noqa: E731
        np.testing.assert_allclose(g, gradcheck.numeric_grad(plain, (W, x)), rtol=1e-6)
        assert isinstance(aux, list) and len(aux) == 2


def test_has_aux_needs_a_pair():
    with pytest.raises(srcgrad.TransformError) as info:
        srcgrad.grad(aux_not_a_pair, has_aux=True)
    assert info.value.lineno == marker_line(aux_not_a_pair, "pair = helper_pair")
    assert "return loss, aux" in str(info.value)


def layer_with_aux(w, x):
    h = np.tanh(w * x)
    return h * h, np.sum(h)


def layer_plain(w, x):
    h = np.tanh(w * x)
    return h * h


def test_has_aux_vjp_returns_out_pullback_and_aux():
    out, pullback, aux = srcgrad.vjp(layer_with_aux, W, X, wrt=(0, 1), has_aux=True)
    np.testing.assert_allclose(out, np.tanh(W * X) ** 2)
    assert aux == pytest.approx(np.sum(np.tanh(W * X)))
    _, plain = srcgrad.vjp(layer_plain, W, X, wrt=(0, 1))
    rng = np.random.default_rng(3)
    for _ in range(2):  # any number of times, any cotangent
        dout = rng.normal(size=out.shape)
        for got, want in zip(pullback(dout), plain(dout)):
            np.testing.assert_allclose(got, want, rtol=1e-12)
    ref = gradcheck.numeric_grad(lambda w, x: np.sum(dout * layer_plain(w, x)), (W, X), (0, 1))
    for got, want in zip(pullback(dout), ref):
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_has_aux_vjp_needs_a_pair():
    with pytest.raises(srcgrad.TransformError, match="return loss, aux"):
        srcgrad.vjp(layer_plain, W, X, has_aux=True)

    def returns_a_list(w, x):
        return [w * x, x]

    with pytest.raises(srcgrad.SrcgradError):
        srcgrad.vjp(returns_a_list, W, X, has_aux=True)


def test_has_aux_checks_the_loss_is_scalar():
    def vector_aux(w):
        return w * 2, w

    with pytest.raises(srcgrad.SrcgradError, match="scalar"):
        srcgrad.grad(vector_aux, has_aux=True)(W)


# -- unconnected ---------------------------------------------------------------------
def uses_only_w(w, x, k):
    return np.sum(w * w) + 0 * k


def test_unconnected_zero_is_the_default():
    gw, gx = srcgrad.grad(uses_only_w, wrt=(0, 1))(W, M, 2.0)
    np.testing.assert_allclose(gw, 2 * W)
    assert gx.shape == M.shape and not gx.any()
    gk = srcgrad.grad(uses_only_w, wrt="x")(W, 1.5, 2.0)
    assert type(gk) is float and gk == 0.0


def test_unconnected_none():
    gw, gx = srcgrad.grad(uses_only_w, wrt=(0, 1), unconnected="none")(W, M, 2.0)
    np.testing.assert_allclose(gw, 2 * W)
    assert gx is None
    _, pullback = srcgrad.vjp(uses_only_w, W, M, 2.0, wrt="x", unconnected="none")
    assert pullback(1.0) is None
    value, gx = srcgrad.value_and_grad(uses_only_w, wrt=1, unconnected="none")(W, M, 2.0)
    assert gx is None and value == pytest.approx(np.sum(W * W))


@pytest.mark.parametrize("bad", ["zeros", None, 0, "None"])
def test_unconnected_bad_value(bad):
    with pytest.raises(srcgrad.SrcgradError, match="unconnected must be 'zero' or 'none'"):
        srcgrad.grad(uses_only_w, unconnected=bad)


# -- stop_gradient -------------------------------------------------------------------
def stopped(w, x):
    c = srcgrad.stop_gradient(np.sin(w))
    return np.sum(c * w * x)


def stopped_reference(w, x, c):
    return np.sum(c * w * x)


def test_stop_gradient_blocks_the_gradient():
    g = srcgrad.grad(stopped)(W, X)
    ref = gradcheck.autograd_grad(stopped_reference, (W, X, np.sin(W)))
    np.testing.assert_allclose(g, ref, rtol=1e-12)
    assert "np.cos" not in srcgrad.source(stopped)


def test_stop_gradient_is_the_identity():
    assert srcgrad.stop_gradient(W) is W
    assert stopped(W, X) == pytest.approx(np.sum(np.sin(W) * W * X))


# -- custom adjoints -------------------------------------------------------------------
def softplus(x):
    return np.log1p(np.exp(x))


def scaled_diff(a, b, k=2.0):
    return k * (a - b)


def softplus_loss(w, x):
    h = softplus(w * x)
    return np.sum(h * h)


def scaled_loss(a, b):
    return np.sum(scaled_diff(a, b) ** 2) + np.sum(scaled_diff(a, b, 3.0))


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_adjoint_template_is_inlined_with_the_callers_names():
    rules = fresh_rules()

    @srcgrad.adjoint(softplus, rules=rules)
    def softplus_adjoint(g, x):
        return g / (1 + np.exp(-x))

    text = srcgrad.source(softplus_loss, rules=rules)
    assert "dwx = dh / (1 + np.exp(-wx))" in text
    g = srcgrad.grad(softplus_loss, rules=rules)(W, X)
    np.testing.assert_allclose(g, gradcheck.autograd_grad(softplus_loss, (W, X)), rtol=1e-10)


def test_adjoint_with_ans_several_parameters_and_a_module_level_helper():
    rules = fresh_rules()

    @srcgrad.adjoint(softplus, rules=rules)
    def softplus_adjoint(g, ans, x):
        return g * sigmoid(x) + 0 * ans

    @srcgrad.adjoint(scaled_diff, rules=rules)
    def scaled_diff_adjoint(g, a, b, k):
        return g * k, -g * k, None

    g = srcgrad.grad(softplus_loss, rules=rules)(W, X)
    np.testing.assert_allclose(g, gradcheck.autograd_grad(softplus_loss, (W, X)), rtol=1e-10)
    assert "sigmoid" in srcgrad.source(softplus_loss, rules=rules)
    ga, gb = srcgrad.grad(scaled_loss, wrt=(0, 1), rules=rules)(W, X)
    ref = gradcheck.autograd_grad(scaled_loss, (W, X), (0, 1))
    np.testing.assert_allclose(ga, ref[0], rtol=1e-10)
    np.testing.assert_allclose(gb, ref[1], rtol=1e-10)


def test_wrong_adjoint_is_caught_by_check_grads():
    # check_grads uses the process-wide rules: register there, for a one-off primitive
    def my_softplus(x):
        return np.log1p(np.exp(x))

    @srcgrad.adjoint(my_softplus)
    def my_softplus_adjoint(g, x):
        return g * np.exp(x)  # wrong

    def my_loss(w):
        return np.sum(my_softplus(w))

    with pytest.raises(AssertionError, match="does not match central finite differences"):
        srcgrad.check_grads(my_loss, (W,), modes=("rev",))


def test_registering_an_adjoint_regenerates_cached_code():
    def cube(x):
        return x * x * x

    def loss(w):
        return np.sum(cube(w))

    before = srcgrad.grad(loss)(W)
    np.testing.assert_allclose(before, 3 * W * W)

    @srcgrad.adjoint(cube)
    def cube_adjoint(g, x):
        return 0 * g * x  # deliberately different, to see it take effect

    assert not srcgrad.grad(loss)(W).any()


def test_tangent_rule_lands_in_the_rule():
    rules = fresh_rules()

    @srcgrad.tangent(softplus, rules=rules)
    def softplus_tangent(dx, x):
        return dx / (1 + np.exp(-x))

    name = f"{__name__}.softplus"
    assert rules.get(name).jvp == "dx / (1 + np.exp(-x))"

    @srcgrad.adjoint(softplus, rules=rules)
    def softplus_adjoint(g, x):
        return g / (1 + np.exp(-x))

    rule = rules.get(name)
    assert rule.jvp == "dx / (1 + np.exp(-x))" and rule.vjp == {"x": "g / (1 + np.exp(-x))"}
    assert library().get(name) is None


def test_tangent_without_adjoint_is_a_located_error_in_reverse_mode():
    rules = fresh_rules()

    @srcgrad.tangent(softplus, rules=rules)
    def softplus_tangent(dx, x):
        return dx / (1 + np.exp(-x))

    with pytest.raises(srcgrad.TransformError, match="no adjoint") as info:
        srcgrad.grad(softplus_loss, rules=rules)
    assert info.value.lineno == marker_line(softplus_loss, "h = softplus")


def _template_missing_g(x):
    return x


def _template_unknown_param(g, x, y):
    return g


def _template_lacks_param(g):
    return g


def _template_statements(g, x):
    s = g * x
    return s


def _template_unknown_name(g, x):
    return g * undefined_thing(x)  # noqa: F821


def _template_tuple_arity(g, a, b, k):
    return g, -g


def _template_all_none(g, a, b, k):
    return None, None, None


def _tangent_no_tangent(x):
    return x


def _tangent_bad_name(dy, x):
    return dy


@pytest.mark.parametrize("prim, template, decorator, message", [
    (softplus, _template_missing_g, srcgrad.adjoint, "lacks the parameter g"),
    (softplus, _template_unknown_param, srcgrad.adjoint, "has parameters y"),
    (softplus, _template_lacks_param, srcgrad.adjoint, "lacks the primitive's parameters x"),
    (softplus, _template_statements, srcgrad.adjoint, "single `return <expression>`"),
    (softplus, _template_unknown_name, srcgrad.adjoint, "uses undefined_thing"),
    (scaled_diff, _template_tuple_arity, srcgrad.adjoint, "tuple of 3 expressions"),
    (scaled_diff, _template_all_none, srcgrad.adjoint, "no gradient for any parameter"),
    (softplus, _tangent_no_tangent, srcgrad.tangent, "no tangent parameter"),
    (softplus, _tangent_bad_name, srcgrad.tangent, "has parameters dy"),
    (softplus, lambda g, x: g, srcgrad.adjoint, "not lambda"),
    (np.tanh, _template_missing_g, srcgrad.adjoint, "plain parameters"),
])
def test_registration_is_validated(prim, template, decorator, message):
    rules = fresh_rules()
    with pytest.raises(srcgrad.SrcgradError, match=message):
        decorator(prim, rules=rules)(template)
    assert len(rules.names()) == len(library().names())


# -- custom_gradient -----------------------------------------------------------------
@srcgrad.custom_gradient
def scale_by(a, k):
    def grad_fn(dy):
        return dy * k, dy * a

    return a * k, grad_fn


@srcgrad.custom_gradient
def clip_gradient(x):
    def grad_fn(dy):
        return np.clip(dy, -0.1, 0.1)

    return x, grad_fn


def scaled_chain(w, x, n):
    for _ in range(n):
        w = scale_by(w, x)
        w = np.sin(w)
    return np.sum(w)


def scaled_chain_plain(w, x, n):
    for _ in range(n):
        w = np.sin(w * x)
    return np.sum(w)


def clipped_square(w):
    y = clip_gradient(w * 10)
    return np.sum(y * y)


def custom_keyword_call(w):
    y = scale_by(w, k=2.0)  # error: scale_by(w, k=2.0)
    return np.sum(y)


def custom_result_unused(w):
    scale_by(w, 2.0)  # error: scale_by(w, 2.0)
    return np.sum(w)


def test_custom_gradient_in_a_loop_against_autograd():
    gw, gx = srcgrad.grad(scaled_chain, wrt=(0, 1))(W, X, 3)
    ref = gradcheck.autograd_grad(scaled_chain_plain, (W, X, 3), (0, 1))
    np.testing.assert_allclose(gw, ref[0], rtol=1e-10)
    np.testing.assert_allclose(gx, ref[1], rtol=1e-10)
    text = srcgrad.source(scaled_chain, wrt=(0, 1))
    assert "scale_by.forward(w, x)" in text and "scale_by_grad_fn(dw)" in text


def test_custom_gradient_backward_is_the_users():
    g = srcgrad.grad(clipped_square)(np.array([0.5, -0.001, 2.0]))
    np.testing.assert_allclose(g, [1.0, -0.002 * 10 * 10, 1.0])


def test_custom_gradient_called_plainly_returns_the_value():
    assert clipped_square(np.array([0.5])) == pytest.approx(25.0)
    assert scale_by(2.0, 3.0) == 6.0
    assert scale_by.__name__ == "scale_by"


def custom_nested(w):
    @srcgrad.custom_gradient  # error: srcgrad.custom_gradient
    def twice(a):
        return a * 2, lambda dy: dy * 2

    return np.sum(twice(w))


@pytest.mark.parametrize("fn, snippet", [
    (custom_keyword_call, "scale_by(w, k=2.0)"),
    (custom_nested, "srcgrad.custom_gradient  # error"),
    (custom_result_unused, "scale_by(w, 2.0)"),
])
def test_custom_gradient_misuse_is_located(fn, snippet):
    with pytest.raises(srcgrad.TransformError) as info:
        srcgrad.grad(fn)
    assert info.value.lineno == marker_line(fn, snippet)


@srcgrad.custom_gradient
def half_known(a, b):
    def grad_fn(dy):
        return dy * b, None  # no gradient for b

    return a * b, grad_fn


@srcgrad.custom_gradient
def wrong_count(a, b):
    def grad_fn(dy):
        return dy * b

    return a * b, grad_fn


def uses_half_known(w, x):
    return np.sum(half_known(w, x) + x)


def uses_wrong_count(w, x):
    return np.sum(wrong_count(w, x))


def test_custom_gradient_none_is_a_zero_gradient():
    gw, gx = srcgrad.grad(uses_half_known, wrt=(0, 1))(W, X)
    np.testing.assert_allclose(gw, X)
    np.testing.assert_allclose(gx, np.ones_like(X))  # only the "+ x"


def test_custom_gradient_wrong_number_of_gradients():
    with pytest.raises(srcgrad.SrcgradError, match="returned a ndarray; it must return 2"):
        srcgrad.grad(uses_wrong_count)(W, X)


def test_custom_gradient_must_return_a_pair():
    @srcgrad.custom_gradient
    def bad(x):
        return x * 2

    with pytest.raises(srcgrad.SrcgradError, match="must return \\(value, grad_fn\\)"):
        bad(1.0)
    with pytest.raises(srcgrad.SrcgradError, match="Python function"):
        srcgrad.custom_gradient(np.sin)


# -- grad_of hooks -------------------------------------------------------------------
SEEN = []


def hook_scales(w, x):
    h = np.tanh(w * x)
    with srcgrad.grad_of(h) as dh:
        dh = dh * 0.5
    return np.sum(h * h) + np.sum(h)


def hook_records(w, x):
    h = np.sin(w * x)
    with srcgrad.grad_of(h) as dh:
        SEEN.append(dh)
    y = h * h
    return np.sum(y) + np.sum(h * x)


def hook_in_loop(w, x):
    for _ in range(3):
        w = np.sin(w) * x
        with srcgrad.grad_of(w) as dw_step:
            dw_step = dw_step * 2.0
    return np.sum(w)


def hook_on_parameter(w, x):
    with srcgrad.grad_of(w) as dw:
        dw = -dw
    return np.sum(np.cos(w) * x)


def hook_not_after_definition(w, x):
    if np.sum(x) > 0:
        h = w * 2
    else:
        h = w * 3
    with srcgrad.grad_of(h) as dh:  # error: with
        dh = dh * 2
    return np.sum(h)


def hook_with_return(w):
    h = w * 2
    with srcgrad.grad_of(h) as dh:
        return dh  # error: return dh
    return np.sum(h)


def hook_name_reused(w):
    h = w * 2
    with srcgrad.grad_of(h) as dh:
        dh = dh * 2
    dh = h + 1  # error: dh = h + 1
    return np.sum(dh)


def hook_two_args(w):
    h = w * 2
    with srcgrad.grad_of(h, w) as dh:  # error: srcgrad.grad_of(h, w)
        dh = dh * 2
    return np.sum(h)


def hook_without_as(w):
    h = w * 2
    with srcgrad.grad_of(h):  # error: with
        print(h)
    return np.sum(h)


def hooked_helper(a):
    b = a * 2
    with srcgrad.grad_of(b) as db:
        db = db * 3
    return b


def calls_hooked_helper(w, x):
    y = hooked_helper(w)  # differentiated: the hook runs in hooked_helper_bwd
    z = hooked_helper(x)  # not differentiated: called without its hook
    return np.sum(y * z)


def two_hooks(w):
    h = np.sin(w)
    with srcgrad.grad_of(h) as dh:
        dh = dh + 1.0
    with srcgrad.grad_of(h) as dh:
        dh = dh * 2.0
    return np.sum(h)


def hooks_in_branch_and_while(w, x):
    if np.sum(x) > 0:
        h = np.sin(w)
        with srcgrad.grad_of(h) as g_h:
            g_h = g_h * 3.0
    else:
        h = np.cos(w)
    n = 0
    while n < 2:
        h = h * x
        with srcgrad.grad_of(h) as d_loop:
            d_loop = d_loop * 2.0
        n = n + 1
    return np.sum(h)


def test_hook_rebinds_the_adjoint():
    g = srcgrad.grad(hook_scales)(W, X)
    t = np.tanh(W * X)
    np.testing.assert_allclose(g, 0.5 * (2 * t + 1) * (1 - t * t) * X, rtol=1e-12)


def test_hook_sees_the_complete_adjoint():
    SEEN.clear()
    g = srcgrad.grad(hook_records)(W, X)
    h = np.sin(W * X)
    assert len(SEEN) == 1
    np.testing.assert_allclose(SEEN[0], 2 * h + X, rtol=1e-12)  # both uses of h, summed
    np.testing.assert_allclose(g, gradcheck.autograd_grad(srcgrad.without_hooks(hook_records),
                                                          (W, X)), rtol=1e-12)


def test_hook_in_a_loop_runs_once_per_iteration():
    g = srcgrad.grad(hook_in_loop)(W, X)
    plain = srcgrad.without_hooks(hook_in_loop)
    # each iteration doubles the adjoint flowing back through it: 2**3 overall
    np.testing.assert_allclose(g, 8 * gradcheck.autograd_grad(plain, (W, X)), rtol=1e-12)


def test_hook_in_a_helper_and_a_plain_call_of_it():
    g = srcgrad.grad(calls_hooked_helper)(W, X)
    np.testing.assert_allclose(g, 3 * 2 * 2 * X, rtol=1e-12)
    text = srcgrad.source(calls_hooked_helper)
    assert "hooked_helper = srcgrad.without_hooks(hooked_helper)" in text


def test_several_hooks_on_one_variable_run_last_first():
    g = srcgrad.grad(two_hooks)(W)
    np.testing.assert_allclose(g, (1.0 * 2.0 + 1.0) * np.cos(W), rtol=1e-12)


def test_hooks_in_a_branch_and_a_while_loop_with_their_own_names():
    g = srcgrad.grad(hooks_in_branch_and_while)(W, X)
    np.testing.assert_allclose(g, 3.0 * 4.0 * np.cos(W) * X * X, rtol=1e-12)
    g = srcgrad.grad(hooks_in_branch_and_while)(W, -X)
    np.testing.assert_allclose(g, 4.0 * -np.sin(W) * X * X, rtol=1e-12)
    plain = srcgrad.without_hooks(hooks_in_branch_and_while)
    assert plain(W, X) == pytest.approx(np.sum(np.sin(W) * X * X))


def test_hook_on_a_parameter_runs_last():
    g = srcgrad.grad(hook_on_parameter)(W, X)
    np.testing.assert_allclose(g, np.sin(W) * X, rtol=1e-12)


def test_hook_body_is_in_the_generated_code():
    text = srcgrad.source(hook_scales)
    assert "# with srcgrad.grad_of(h) as dh" in text
    assert "dh = dh * 0.5" in text


@pytest.mark.parametrize("fn, snippet", [
    (hook_not_after_definition, "with srcgrad.grad_of(h) as dh:  # error"),
    (hook_with_return, "return dh"),
    (hook_name_reused, "dh = h + 1"),
    (hook_two_args, "grad_of(h, w)"),
    (hook_without_as, "with srcgrad.grad_of(h):"),
])
def test_hook_misuse_is_located(fn, snippet):
    with pytest.raises(srcgrad.TransformError) as info:
        srcgrad.grad(fn)
    assert info.value.lineno == marker_line(fn, snippet)
    assert info.value.hint


def test_function_with_hooks_called_plainly():
    with pytest.raises(srcgrad.SrcgradError, match="without_hooks"):
        hook_scales(W, X)
    plain = srcgrad.without_hooks(hook_scales)
    t = np.tanh(W * X)
    assert plain(W, X) == pytest.approx(np.sum(t * t) + np.sum(t))
    assert srcgrad.without_hooks(aux_loss_plain) is aux_loss_plain
    out, pullback = srcgrad.vjp(hook_scales, W, X)
    assert out == pytest.approx(plain(W, X))
    np.testing.assert_allclose(pullback(1.0), srcgrad.grad(hook_scales)(W, X))


# -- check_grads -----------------------------------------------------------------------
def smooth(w, x, k):
    return np.sum(np.tanh(w * x) ** 2) * k


def vector_out(w, x):
    return np.sin(w) * x, np.sum(w * w)


def test_check_grads_passes_on_correct_code():
    srcgrad.check_grads(smooth, (W, X, 1.5), modes=("rev",))
    srcgrad.check_grads(smooth, (W, X, 1.5), order=2, modes="rev", wrt=(0, "k"))
    srcgrad.check_grads(vector_out, (W, X), modes=("rev",))
    srcgrad.check_grads(scaled_chain, (W, X, 2), modes=("rev",), order=2)


def test_check_grads_reports_a_wrong_gradient():
    with pytest.raises(AssertionError) as info:
        srcgrad.check_grads(hook_scales, (W, X), modes=("rev",))
    report = str(info.value)
    assert "hook_scales" in report and "srcgrad:" in report and "finite differences:" in report


@pytest.mark.parametrize("kwargs, message", [
    (dict(order=3), "order must be 1 or 2"),
    (dict(modes=("backward",)), "modes must be drawn from"),
    (dict(wrt="nope"), "not a parameter"),
])
def test_check_grads_bad_arguments(kwargs, message):
    kwargs.setdefault("modes", ("rev",))
    with pytest.raises(srcgrad.SrcgradError, match=message):
        srcgrad.check_grads(smooth, (W, X, 1.5), **kwargs)


def test_except_srcgrad_error_catches_transform_errors():
    try:
        srcgrad.grad(hook_two_args)
    except srcgrad.SrcgradError as err:  # a plain except clause, not pytest.raises
        assert isinstance(err, srcgrad.TransformError)
    else:
        raise AssertionError("expected a TransformError")


def _logistic(z):
    return 1.0 / (1.0 + np.exp(-z))


def _softplus2(x):
    return np.log1p(np.exp(x))


def _shadows_a_template_global(x):
    _logistic = 0.5 * x  # noqa: F841 - a local named like the global the template reads
    return np.sum(_softplus2(_logistic))


def test_a_template_global_shadowed_by_a_local_of_the_caller_is_refused():
    # the template's _logistic(x) would call the caller's local array
    rules = fresh_rules()

    @srcgrad.adjoint(_softplus2, rules=rules)
    def _softplus2_adjoint(g, x):
        return g * _logistic(x)

    with pytest.raises(srcgrad.SrcgradError, match="'_logistic'.*rename the local"):
        srcgrad.grad(_shadows_a_template_global, rules=rules)(np.array([0.3, -0.2]))
