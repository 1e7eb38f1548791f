"""``check_grads``: derivatives against central finite differences, for users' own tests.

The reverse-mode check draws a random cotangent ``u`` for the output and a
random direction ``v`` for the inputs and compares two numbers that must
agree: ``<u, J v>`` by finite differences, and ``<vjp(u), v>`` from the
generated code.  Forward mode compares ``jvp(f, args, v)`` with the finite
difference ``(f(x + eps v) - f(x - eps v)) / 2 eps`` directly.  Order 2
checks the derivative of the first derivative the same way, with the
first derivative's code as the function.
"""

import numpy as np

from srcgrad.errors import SrcgradError

_MODES = ("fwd", "rev")


def check_grads(f, args, order=1, modes=("fwd", "rev"), wrt=None, rtol=1e-5, atol=1e-6,
                eps=1e-6, seed=0):
    """Check srcgrad's derivatives of ``f`` at ``args``; raise AssertionError if they are off.

    ``args``: the positional arguments (a tuple).  ``wrt``: the positions or
    names to check (default: every argument that is a float or a float
    array).  ``order``: 1, or 2 to also check the derivative of the
    derivative.  ``modes``: ``"rev"`` (``vjp``) and/or ``"fwd"`` (``jvp``).
    Use inputs away from kinks (``abs``, ``max``, branches), where finite
    differences are meaningless.
    """
    from srcgrad.api import _positional_params

    if order not in (1, 2):
        raise SrcgradError(f"order must be 1 or 2, not {order!r}")
    modes = (modes,) if isinstance(modes, str) else tuple(modes)
    bad = [m for m in modes if m not in _MODES]
    if bad or not modes:
        raise SrcgradError(f"modes must be drawn from {_MODES}, not {modes!r}")
    args = tuple(args)
    _, params = _positional_params(f)
    positions = _positions(f, params, args, wrt)
    rng = np.random.default_rng(seed)
    from srcgrad.hooks import without_hooks

    plain = without_hooks(f)  # finite differences of the value, grad_of blocks left out
    for mode in modes:
        if mode == "rev":
            _check_rev(f, plain, args, positions, rng, rtol, atol, eps, order)
        else:
            _check_fwd(f, plain, args, positions, rng, rtol, atol, eps, order)


def _positions(f, params, args, wrt):
    if len(args) != len(params):
        raise SrcgradError(f"check_grads needs all {len(params)} arguments of "
                           f"{f.__qualname__} ({', '.join(params)}), got {len(args)}")
    if wrt is None:
        pos = [i for i, a in enumerate(args) if _is_float(a)]
        if not pos:
            raise SrcgradError("no float argument to check: pass wrt=")
        return pos
    items = wrt if isinstance(wrt, (tuple, list)) else [wrt]
    pos = []
    for w in items:
        i = params.index(w) if isinstance(w, str) and w in params else w
        if not isinstance(i, int) or isinstance(i, bool) or not -len(params) <= i < len(params):
            raise SrcgradError(f"wrt={w!r} is not a parameter of {f.__qualname__}")
        i %= len(params)
        if not _is_float(args[i]):
            raise SrcgradError(f"argument {params[i]!r} is not a float or float array, so "
                               "it cannot be checked")
        pos.append(i)
    return pos


def _is_float(a):
    if type(a) is float:
        return True
    return isinstance(a, np.ndarray) and np.issubdtype(a.dtype, np.floating)


def _shift(args, positions, v, t):
    out = list(args)
    for i, d in zip(positions, v):
        out[i] = args[i] + t * d if isinstance(args[i], np.ndarray) else float(args[i] + t * d)
    return tuple(out)


def _direction(args, positions, rng):
    return [rng.standard_normal(np.shape(args[i])) if isinstance(args[i], np.ndarray)
            else float(rng.standard_normal()) for i in positions]


def _leaves(out):
    if isinstance(out, (tuple, list)):
        return [x for o in out for x in _leaves(o)]
    return [np.asarray(out, dtype=float)]


def _inner(a, b):
    return sum(float(np.sum(x * y)) for x, y in zip(_leaves(a), _leaves(b)))


def _random_like(out, rng):
    if isinstance(out, (tuple, list)):
        return tuple(_random_like(o, rng) for o in out)
    if np.ndim(out) == 0:
        return float(rng.standard_normal())
    return rng.standard_normal(np.shape(out))


def _numeric_dir(f, args, positions, v, eps):
    hi, lo = f(*_shift(args, positions, v, eps)), f(*_shift(args, positions, v, -eps))
    return [(h - l) / (2 * eps) for h, l in zip(_leaves(hi), _leaves(lo))]


def _compare(what, got, want, rtol, atol):
    got_l, want_l = _leaves(got), _leaves(want)
    ok = all(np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=rtol, atol=atol)
             for a, b in zip(got_l, want_l))
    if ok:
        return
    lines = [f"check_grads: {what} does not match central finite differences"]
    for a, b in zip(got_l, want_l):
        err = np.max(np.abs(a - b)) if np.shape(a) == np.shape(b) else float("nan")
        lines.append(f"  srcgrad:            {np.array2string(np.asarray(a), precision=8)}")
        lines.append(f"  finite differences: {np.array2string(np.asarray(b), precision=8)}")
        lines.append(f"  max abs error {err:.3g} (rtol={rtol}, atol={atol})")
    raise AssertionError("\n".join(lines))


def _check_rev(f, plain, args, positions, rng, rtol, atol, eps, order):
    from srcgrad.api import vjp

    name = f.__qualname__
    wrt = tuple(positions)
    v = _direction(args, positions, rng)
    out, pullback = vjp(f, *args, wrt=wrt)
    u = _random_like(out, rng)
    grads = pullback(u)
    got = sum(_inner(g, d) for g, d in zip(grads, v))
    want = _inner(u, _numeric_dir(plain, args, positions, v, eps))
    _compare(f"the reverse-mode derivative of {name} (<vjp(u), v>)", got, want, rtol, atol)
    if order == 2:
        # the derivative along w of srcgrad's <vjp(u), v>, by differences of gradients,
        # against a second difference of function values
        w = _direction(args, positions, rng)
        hi = vjp(f, *_shift(args, positions, w, eps), wrt=wrt)[1](u)
        lo = vjp(f, *_shift(args, positions, w, -eps), wrt=wrt)[1](u)
        got2 = sum(_inner(a, d) - _inner(b, d) for a, b, d in zip(hi, lo, v)) / (2 * eps)
        fd = _second_difference(plain, args, positions, u, v, w, eps ** 0.5)
        _compare(f"the second reverse-mode derivative of {name}", got2, fd,
                 max(rtol, 1e-3), max(atol, 1e-4))


def _second_difference(f, args, positions, u, v, w, h):
    """``<u, d2f[v, w]>`` from function values only."""
    def at(a, b):
        x = _shift(_shift(args, positions, v, a), positions, w, b)
        return _inner(u, f(*x))

    return (at(h, h) - at(h, -h) - at(-h, h) + at(-h, -h)) / (4 * h * h)


def _check_fwd(f, plain, args, positions, rng, rtol, atol, eps, order):
    import srcgrad

    jvp = srcgrad.jvp
    name = f.__qualname__
    v = _direction(args, positions, rng)
    tangents = [None] * len(args)  # arguments outside wrt are held fixed
    for i, d in zip(positions, v):
        tangents[i] = d
    out, tan = jvp(f, args, tuple(tangents))
    _compare(f"the forward-mode derivative of {name} (jvp)", tan,
             _numeric_dir(plain, args, positions, v, eps), rtol, atol)
    if order == 2:
        def directional(*a):
            return jvp(f, a, tuple(tangents))[1]

        w = _direction(args, positions, rng)
        got = _numeric_dir(directional, args, positions, w, eps)
        h = eps ** 0.5
        want = []
        for hi_a, hi_b, lo_a, lo_b in zip(
                _leaves(plain(*_shift(_shift(args, positions, v, h), positions, w, h))),
                _leaves(plain(*_shift(_shift(args, positions, v, h), positions, w, -h))),
                _leaves(plain(*_shift(_shift(args, positions, v, -h), positions, w, h))),
                _leaves(plain(*_shift(_shift(args, positions, v, -h), positions, w, -h)))):
            want.append((hi_a - hi_b - lo_a + lo_b) / (4 * h * h))
        _compare(f"the second forward-mode derivative of {name}", got, want,
                 max(rtol, 1e-3), max(atol, 1e-4))
