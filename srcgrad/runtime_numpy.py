"""Runtime helpers for the extended numpy rules (``srcgrad/rules/numpy_more_rules.py``).

Re-exported by :mod:`srcgrad.runtime`, so generated code calls them as
``rt.<name>``.  Like the rest of the runtime they work on numpy arrays and on
arrays of other modules that follow numpy's API (cupy): new arrays come from
``*_like`` functions or ``like=``, never from a bare shape.
"""

import numpy as np

from srcgrad.errors import SrcgradError
from srcgrad.runtime import (
    _axes,
    _beside,
    _keep,
    _reduced_last,
    _split_back,
    add_at,
    cumsum_grad,
    minmax_grad,
    minmax_jvp,
    prod_grad,
    shape,
    sum_grad,
    unbroadcast,
    zeros_like,
)

# -- constructors ----------------------------------------------------------------------


def _linspace_weights(ans, num, endpoint, retstep, axis):
    """t such that linspace(start, stop) = start + (stop - start) * t, shaped to broadcast."""
    if retstep:
        raise SrcgradError(
            "srcgrad: the derivative of np.linspace(retstep=True) is not "
            "implemented; compute the step as (stop - start) / (num - 1)"
        )
    values = ans
    div = (num - 1) if endpoint else num
    t = np.arange(num, like=_like(values)).astype(np.result_type(values)) / max(div, 1)
    nd = np.ndim(values)
    ax = axis % nd if nd else 0
    return np.reshape(t, [num if d == ax else 1 for d in range(nd)]), ax


def linspace_grad(g, start, stop, num=50, endpoint=True, retstep=False, axis=0, which=0):
    """Cotangent of ``start`` (``which=0``) or ``stop`` in ``np.linspace``."""
    t, ax = _linspace_weights(g, num, endpoint, retstep, axis)
    w = (1 - t) if which == 0 else t
    if num == 1 and which == 0:
        w = np.ones_like(t)
    return unbroadcast(np.sum(g * w, axis=ax), start if which == 0 else stop)


def linspace_jvp(dstart, dstop, ans, start, stop, num=50, endpoint=True, retstep=False, axis=0):
    """Tangent of ``np.linspace(start, stop, ...)``."""
    t, ax = _linspace_weights(ans, num, endpoint, retstep, axis)
    ds = np.expand_dims(dstart * np.ones_like(np.take(ans, 0, axis=ax)), ax)
    de = np.expand_dims(dstop * np.ones_like(np.take(ans, 0, axis=ax)), ax)
    return ds * (1 - t) + de * t if num > 1 else ds * np.ones_like(t)


# -- reductions ----------------------------------------------------------------


def _weights_1d(a, axis, weights):
    """np.average's 1-d ``weights`` along one ``axis`` of an N-d ``a``."""
    return np.ndim(weights) == 1 and np.ndim(a) > 1 and isinstance(axis, int)


def _weights_full(a, axis, weights):
    """``weights`` broadcast against ``a`` as np.average reads them."""
    if _weights_1d(a, axis, weights):
        nd = np.ndim(a)
        return np.reshape(weights, [-1 if d == axis % nd else 1 for d in range(nd)])
    return weights


def _weights_back(t, a, axis, weights):
    """Sum a cotangent with ``a``'s shape back to the shape of ``weights``."""
    if _weights_1d(a, axis, weights):
        nd = np.ndim(a)
        return np.sum(t, axis=tuple(d for d in range(nd) if d != axis % nd))
    return unbroadcast(t, weights)


def average_grad_a(g, a, axis=None, weights=None, keepdims=False, returned=False):
    """Cotangent of ``a`` in ``np.average(a, axis, weights, keepdims=keepdims)``."""
    if returned:
        raise SrcgradError(
            "srcgrad: the derivative of np.average(returned=True) is not "
            "implemented; compute the sum of weights separately"
        )
    if weights is None:
        n = 1
        for d in _axes(a, axis):
            n *= shape(a)[d]
        return sum_grad(g / n, a, axis, keepdims)
    w = _weights_full(a, axis, weights)
    total = np.sum(w * np.ones_like(a), axis=axis, keepdims=True)
    return _keep(g, a, axis, keepdims) * w / total


def average_grad_w(g, ans, a, axis=None, weights=None, keepdims=False):
    """Cotangent of ``weights`` in ``np.average(a, axis, weights, keepdims=keepdims)``."""
    w = _weights_full(a, axis, weights)
    total = np.sum(w * np.ones_like(a), axis=axis, keepdims=True)
    t = _keep(g, a, axis, keepdims) * (a - _keep(ans, a, axis, keepdims)) / total
    return _weights_back(t, a, axis, weights)


def average_jvp(da, dweights, ans, a, axis=None, weights=None, keepdims=False):
    """Tangent of ``np.average(a, axis, weights, keepdims=keepdims)``."""
    if weights is None:
        return np.mean(da, axis=axis, keepdims=keepdims) if not _is_zero(da) else 0.0 * ans
    w = _weights_full(a, axis, weights)
    total = np.sum(w * np.ones_like(a), axis=axis, keepdims=keepdims)
    out = 0.0 * ans
    if not _is_zero(da):
        out = out + np.sum(w * da, axis=axis, keepdims=keepdims) / total
    if not _is_zero(dweights):
        dw = _weights_full(a, axis, dweights)
        centered = a - _keep(ans, a, axis, keepdims)
        out = out + np.sum(dw * centered, axis=axis, keepdims=keepdims) / total
    return out


def _is_zero(t):
    return type(t) in (float, int) and t == 0


def _last(x, axis):
    """``x`` with ``axis`` moved last (``axis=None``: flattened)."""
    return np.ravel(x) if axis is None else np.moveaxis(x, axis, -1)


def _unlast(t, x, axis):
    return np.reshape(t, shape(x)) if axis is None else np.moveaxis(t, -1, axis)


def cumprod_grad(g, ans, a, axis=None):
    """Cotangent of ``a`` for ``np.cumprod(a, axis)``; exact where ``a`` has zeros.

    With p = cumprod(a): p[j] = p[j-1] * a[j], so the adjoint of p[j] is
    G[j] = g[j] + a[j+1] * G[j+1], and the cotangent of a[j] is G[j] * p[j-1].
    """
    x, gl, p = _last(a, axis), _last(g, axis), _last(ans, axis)
    n = x.shape[-1]
    out = zeros_like(gl * x)
    acc = zeros_like(out[..., 0])
    for j in range(n - 1, -1, -1):
        acc = gl[..., j] + (x[..., j + 1] * acc if j + 1 < n else acc)
        out[..., j] = acc * p[..., j - 1] if j > 0 else acc
    return _unlast(out, a, axis)


def cumprod_jvp(da, ans, a, axis=None):
    """Tangent of ``np.cumprod(a, axis)``: t[j] = t[j-1] * a[j] + p[j-1] * da[j]."""
    x, d, p = _last(a, axis), _last(da, axis), _last(ans, axis)
    out = zeros_like(d * x)
    out[..., 0] = d[..., 0]
    for j in range(1, x.shape[-1]):
        out[..., j] = out[..., j - 1] * x[..., j] + p[..., j - 1] * d[..., j]
    return out if axis is None else np.moveaxis(out, -1, axis)


def ptp_grad(g, a, axis=None, keepdims=False):
    """Cotangent of ``a`` for ``np.ptp`` (max minus min; ties share)."""
    hi = np.max(a, axis=axis, keepdims=keepdims)
    lo = np.min(a, axis=axis, keepdims=keepdims)
    return minmax_grad(g, hi, a, axis, keepdims) - minmax_grad(g, lo, a, axis, keepdims)


def ptp_jvp(da, a, axis=None, keepdims=False):
    """Tangent of ``np.ptp``."""
    hi = np.max(a, axis=axis, keepdims=keepdims)
    lo = np.min(a, axis=axis, keepdims=keepdims)
    return minmax_jvp(da, hi, a, axis, keepdims) - minmax_jvp(da, lo, a, axis, keepdims)


def nan_zero(t, a):
    """``t`` with zeros where ``a`` is NaN (the nan-reductions skip those entries)."""
    return np.where(np.isnan(a), 0, t)


def nanmean_grad(g, a, axis=None, keepdims=False):
    """Cotangent of ``a`` for ``np.nanmean``."""
    count = np.sum(~np.isnan(a), axis=axis, keepdims=True, dtype=a.dtype)
    return nan_zero(_keep(g, a, axis, keepdims) / count, a) * np.ones_like(a)


def nanmean_jvp(da, a, axis=None, keepdims=False):
    """Tangent of ``np.nanmean``."""
    count = np.sum(~np.isnan(a), axis=axis, keepdims=keepdims, dtype=a.dtype)
    return np.sum(nan_zero(da, a), axis=axis, keepdims=keepdims) / count


def nanvar_grad(g, a, axis=None, ddof=0, keepdims=False):
    """Cotangent of ``a`` for ``np.nanvar``."""
    ok = ~np.isnan(a)
    count = np.sum(ok, axis=axis, keepdims=True, dtype=a.dtype)
    centered = np.where(ok, a - np.nanmean(a, axis=axis, keepdims=True), 0)
    return _keep(g, a, axis, keepdims) * centered * (2.0 / (count - ddof))


def nanvar_jvp(da, a, axis=None, ddof=0, keepdims=False):
    """Tangent of ``np.nanvar``."""
    ok = ~np.isnan(a)
    count = np.sum(ok, axis=axis, keepdims=keepdims, dtype=a.dtype)
    centered = np.where(ok, a - np.nanmean(a, axis=axis, keepdims=True), 0)
    return np.sum(centered * da, axis=axis, keepdims=keepdims) * (2.0 / (count - ddof))


def nanprod_grad(g, a, axis=None, keepdims=False):
    """Cotangent of ``a`` for ``np.nanprod`` (NaN counts as one)."""
    return nan_zero(prod_grad(g, np.where(np.isnan(a), 1, a), axis, keepdims), a)


def nanprod_jvp(da, a, axis=None, keepdims=False):
    """Tangent of ``np.nanprod``."""
    from srcgrad.runtime import prod_jvp

    return prod_jvp(nan_zero(da, a), np.where(np.isnan(a), 1, a), axis, keepdims)


def nancumsum_grad(g, a, axis=None):
    """Cotangent of ``a`` for ``np.nancumsum``."""
    return nan_zero(cumsum_grad(g, a, axis), a)


def _median_picks(a, axis, keepdims):
    """(flat view of a with reduced axes last, index array, weights) for np.median."""
    moved, flat, axes, dest = _reduced_last(a, axis)
    n = flat.shape[-1]
    order = np.argsort(flat, axis=-1, kind="stable")
    mid = order[..., [(n - 1) // 2, n // 2]]
    return moved.shape, flat, mid, axes, dest


def median_grad(g, a, axis=None, keepdims=False):
    """Cotangent of ``a`` for ``np.median``: half to each middle element (all to one if odd)."""
    mshape, flat, mid, axes, dest = _median_picks(a, axis, keepdims)
    gk = np.reshape(_beside(flat, g), mshape[: len(mshape) - len(axes)] + (1,))
    out = zeros_like(flat)
    add_at(out, _along_last(mid), np.broadcast_to(gk * 0.5, mid.shape))
    return np.moveaxis(np.reshape(out, mshape), dest, axes)


def median_jvp(da, a, axis=None, keepdims=False):
    """Tangent of ``np.median``."""
    mshape, flat, mid, axes, dest = _median_picks(a, axis, keepdims)
    d = np.reshape(np.moveaxis(da * np.ones_like(a), axes, dest), flat.shape)
    t = np.mean(np.take_along_axis(d, mid, axis=-1), axis=-1)
    return np.reshape(t, _kept_shape(a, axes) if keepdims else mshape[: len(mshape) - len(axes)])


def _kept_shape(a, axes):
    """The shape of a reduction of ``a`` over ``axes`` with ``keepdims=True``."""
    return tuple(1 if d in axes else size for d, size in enumerate(shape(a)))


def _grids(shape_, like):
    """``np.indices(shape_, sparse=True)``, made on ``like``'s device."""
    nd = len(shape_)
    return [
        np.reshape(np.arange(n, like=_like(like)), [n if d == k else 1 for d in range(nd)])
        for k, n in enumerate(shape_)
    ]


def _along_last(idx):
    """An advanced index tuple selecting ``idx`` along the last axis."""
    grids = _grids(idx.shape[:-1], idx)
    return tuple(gr[..., None] for gr in grids) + (idx,)


# -- shapes and joining ------------------------------------------------------------


def column_stack_grad(g, arrays):
    """Cotangents of the arrays joined by ``np.column_stack``."""
    shapes = [(np.size(x), 1) if np.ndim(x) < 2 else np.shape(x) for x in arrays]
    return _split_back(g, arrays, shapes, 1)


def dstack_grad(g, arrays):
    """Cotangents of the arrays joined by ``np.dstack``."""
    return _split_back(g, arrays, [np.shape(np.atleast_3d(zeros_like(x))) for x in arrays], 2)


def reshape_each(gs, xs):
    """The cotangents ``gs`` reshaped to the shapes of ``xs`` (``atleast_*d``)."""
    if len(xs) == 1:
        gs = (gs,)
    return [np.reshape(gi, shape(x)) for gi, x in zip(gs, xs, strict=True)]


def unbroadcast_each(gs, xs):
    """The cotangents of ``np.broadcast_arrays(*xs)``, each summed to its input's shape."""
    return [unbroadcast(gi, x) for gi, x in zip(gs, xs, strict=True)]


def split_jvp(f, dx, x, *args, **kwargs):
    """Tangent of a splitting function ``f`` (``np.split``...): split the tangent alike."""
    return f(dx * np.ones_like(x), *args, **kwargs)


def pad_grad(g, array, pad_width, mode="constant"):
    """Cotangent of ``array`` for ``np.pad(array, pad_width, mode)``.

    Pads an array of flat indices the same way, then sums ``g`` into the
    entries each padded element copies (constant padding copies none).
    """
    if mode == "constant":
        idx = np.pad(
            np.arange(np.size(array), like=_like(g)).reshape(shape(array)) + 1,
            pad_width,
            mode="constant",
        )
    elif mode in ("edge", "reflect", "symmetric", "wrap"):
        idx = np.pad(
            np.arange(np.size(array), like=_like(g)).reshape(shape(array)) + 1, pad_width, mode=mode
        )
    else:
        raise SrcgradError(
            f"srcgrad: the derivative of np.pad(mode={mode!r}) is not implemented; "
            "use mode 'constant', 'edge', 'reflect', 'symmetric' or 'wrap'"
        )
    out = np.bincount(np.ravel(idx), weights=np.ravel(g), minlength=np.size(array) + 1)
    return np.reshape(out[1:], shape(array)).astype(np.result_type(g))


def pad_grad_constant(g, array, pad_width):
    """Cotangent of a scalar ``constant_values`` in ``np.pad``: ``g`` summed over the padding."""
    inner = np.pad(np.ones_like(array), pad_width, mode="constant")
    return np.sum(g * (1 - inner))


def _on_device(v, like):
    """An index or mask the caller wrote as a Python list, as an array beside ``like``."""
    return v if hasattr(v, "__array_function__") else np.asarray(v, like=_like(like))


def _like(x):
    return x if hasattr(x, "__array_function__") else None


def diagonal_vjp(g, a, offset=0, axis1=0, axis2=1):
    """Cotangent of ``a`` for ``np.diagonal(a, offset, axis1, axis2)``."""
    out = zeros_like(a)
    moved = np.moveaxis(out, (axis1, axis2), (-2, -1))
    i = np.arange(shape(g)[-1], like=out)
    moved[..., i + max(-offset, 0), i + max(offset, 0)] = g
    return out


def diagflat_grad(g, v, k=0):
    """Cotangent of ``v`` for ``np.diagflat(v, k)``."""
    return np.reshape(np.diagonal(g, k), shape(v))


def append_grad(g, arr, values, axis=None):
    """Cotangents of ``arr`` and ``values`` for ``np.append(arr, values, axis)``."""
    if axis is None:
        n = np.size(arr)
        flat = np.ravel(g)
        return np.reshape(flat[:n], shape(arr)), np.reshape(flat[n:], shape(values))
    return tuple(_split_back(g, [arr, values], [np.shape(arr), np.shape(values)], axis))


def take_vjp(g, a, indices, axis=None, mode="raise"):
    """Cotangent of ``a`` for ``np.take(a, indices, axis, mode=mode)``: repeats add up."""
    out = zeros_like(a)
    flat = np.reshape(out, (-1,)) if axis is None else np.moveaxis(out, axis, 0)
    n = flat.shape[0]
    idx = _on_device(indices, out)
    if mode == "wrap":
        idx = np.mod(idx, n)
    elif mode == "clip":
        idx = np.clip(idx, 0, n - 1)
    if axis is None:
        add_at(flat, idx, g)
    else:
        nd = np.ndim(idx)
        gm = np.moveaxis(g, tuple(range(axis, axis + nd)), tuple(range(nd)))
        add_at(flat, idx, gm)
    return out


def take_along_axis_vjp(g, arr, indices, axis):
    """Cotangent of ``arr`` for ``np.take_along_axis(arr, indices, axis)``."""
    out = zeros_like(arr)
    if axis is None:
        add_at(np.reshape(out, (-1,)), indices, g)
        return out
    axis = axis % np.ndim(arr)
    full = np.broadcast_shapes(np.shape(g), np.shape(indices))
    g = np.broadcast_to(g, full)
    grids = _grids(full, g)
    for d, n in enumerate(shape(arr)):
        if n == 1:
            grids[d] = np.zeros_like(grids[d])
    grids[axis] = np.broadcast_to(indices, full)
    add_at(out, tuple(grids), g)
    return out


def _select_choice_grad(g, condlist, choicelist, k):
    """Cotangent of ``choicelist[k]`` (``k=None``: the default) in ``np.select``."""
    taken = False
    for i, c in enumerate(condlist):
        if i == k:
            return unbroadcast(np.where(c & ~taken, g, 0), choicelist[k])
        taken = taken | c
    return np.where(taken, 0, g)


def select_vjp(g, condlist, choicelist):
    """Cotangents of the list ``choicelist`` in ``np.select(condlist, choicelist, default)``."""
    return [_select_choice_grad(g, condlist, choicelist, k) for k in range(len(choicelist))]


def select_default_grad(g, condlist, default):
    """Cotangent of ``default`` in ``np.select``."""
    return unbroadcast(_select_choice_grad(g, condlist, [], None), default)


# -- products ------------------------------------------------------------------------


def vdot_grad(g, a, b):
    """Cotangent of ``a`` in ``np.vdot(a, b)`` (real arrays)."""
    return g * np.reshape(b, shape(a))


def inner_grad_a(g, a, b):
    """Cotangent of ``a`` in ``np.inner(a, b)``: contract g with b over b's free axes."""
    na, nb = np.ndim(a), np.ndim(b)
    if na == 0 or nb == 0:
        return unbroadcast(g * b, a)
    gfree = list(range(na - 1, np.ndim(g)))
    out = np.tensordot(g, b, axes=(gfree, list(range(nb - 1))))
    return out


def inner_grad_b(g, a, b):
    """Cotangent of ``b`` in ``np.inner(a, b)``."""
    na, nb = np.ndim(a), np.ndim(b)
    if na == 0 or nb == 0:
        return unbroadcast(g * a, b)
    out = np.tensordot(g, a, axes=(list(range(na - 1)), list(range(na - 1))))
    return out


def _tensordot_axes(axes, na, nb):
    if isinstance(axes, int):
        return list(range(na - axes, na)), list(range(axes))
    ax_a, ax_b = axes
    ax_a = [ax_a] if isinstance(ax_a, int) else list(ax_a)
    ax_b = [ax_b] if isinstance(ax_b, int) else list(ax_b)
    return [x % na for x in ax_a], [x % nb for x in ax_b]


def tensordot_grad_a(g, a, b, axes=2):
    """Cotangent of ``a`` in ``np.tensordot(a, b, axes)``."""
    na, nb = np.ndim(a), np.ndim(b)
    ax_a, ax_b = _tensordot_axes(axes, na, nb)
    free_a = [d for d in range(na) if d not in ax_a]
    free_b = [d for d in range(nb) if d not in ax_b]
    nfa = len(free_a)
    t = np.tensordot(g, b, axes=(list(range(nfa, nfa + len(free_b))), free_b))
    # t's axes: free_a, then ax_b in b's order; put ax_a where they belong.
    order_b = sorted(range(len(ax_b)), key=lambda i: ax_b[i])
    src = free_a + [ax_a[i] for i in order_b]
    return np.transpose(t, [src.index(d) for d in range(na)])


def tensordot_grad_b(g, a, b, axes=2):
    """Cotangent of ``b`` in ``np.tensordot(a, b, axes)``."""
    na, nb = np.ndim(a), np.ndim(b)
    ax_a, ax_b = _tensordot_axes(axes, na, nb)
    free_a = [d for d in range(na) if d not in ax_a]
    free_b = [d for d in range(nb) if d not in ax_b]
    t = np.tensordot(a, g, axes=(free_a, list(range(len(free_a)))))
    order_a = sorted(range(len(ax_a)), key=lambda i: ax_a[i])
    src = [ax_b[i] for i in order_a] + free_b
    return np.transpose(t, [src.index(d) for d in range(nb)])


def kron_grad(g, a, b, which):
    """Cotangent of ``a`` (``which=0``) or ``b`` (``which=1``) in ``np.kron(a, b)``."""
    nd = max(np.ndim(a), np.ndim(b))
    sa = (1,) * (nd - np.ndim(a)) + tuple(shape(a))
    sb = (1,) * (nd - np.ndim(b)) + tuple(shape(b))
    gi = np.reshape(g, [v for pair in zip(sa, sb, strict=True) for v in pair])
    if which == 0:
        t = np.tensordot(gi, np.reshape(b, sb), axes=(list(range(1, 2 * nd, 2)), list(range(nd))))
        return np.reshape(t, shape(a))
    t = np.tensordot(gi, np.reshape(a, sa), axes=(list(range(0, 2 * nd, 2)), list(range(nd))))
    return np.reshape(t, shape(b))


def cross_grad(g, a, b, which, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cotangent of ``a`` (``which=0``) or ``b`` (``which=1``) in ``np.cross``."""
    if axis is not None:
        axisa = axisb = axisc = axis
    am, bm = np.moveaxis(a, axisa, -1), np.moveaxis(b, axisb, -1)
    if am.shape[-1] == 3 or bm.shape[-1] == 3:
        gm = np.moveaxis(g, axisc, -1)
        a3, b3 = _to3(am), _to3(bm)
        t = np.cross(b3, gm) if which == 0 else np.cross(gm, a3)
        mine = am if which == 0 else bm
        t = t[..., : mine.shape[-1]]
    else:  # 2-vectors: the result is the scalar a0 b1 - a1 b0
        other = bm if which == 0 else am
        sign = 1 if which == 0 else -1
        gk = np.expand_dims(_beside(other, g), -1)
        t = sign * np.stack([other[..., 1], -other[..., 0]], axis=-1) * gk
        mine = am if which == 0 else bm
    t = unbroadcast(t, mine)
    return np.moveaxis(t, -1, axisa if which == 0 else axisb)


def _to3(v):
    if v.shape[-1] == 3:
        return v
    return np.concatenate([v, np.zeros_like(v[..., :1])], axis=-1)


def convolve_full(g, n_out, mode, na, nv):
    """``g`` (a ``mode`` convolution output) placed into the full-mode output."""
    if mode == "full":
        return g
    full = na + nv - 1
    if mode == "same":
        start = (min(na, nv) - 1) // 2
    else:
        start = min(na, nv) - 1
    pad = (start, full - start - n_out)
    return np.pad(g, pad)


def convolve_grad(g, a, v, which, mode="full"):
    """Cotangent of ``a`` (``which=0``) or ``v`` for ``np.convolve(a, v, mode)``."""
    na, nv = np.size(a), np.size(v)
    gf = convolve_full(g, np.size(g), mode, na, nv)
    other = v if which == 0 else a
    return np.correlate(gf, other, mode="valid")


def correlate_grad(g, a, v, which, mode="valid"):
    """Cotangent of ``a`` (``which=0``) or ``v`` for ``np.correlate(a, v, mode)``."""
    na, nv = np.size(a), np.size(v)
    if na < nv:  # numpy correlates v with a and reverses the result
        return correlate_grad(np.flip(g), v, a, 1 - which, mode)
    vr = np.flip(v)
    gf = convolve_full(g, np.size(g), mode, na, nv)
    if which == 0:
        return np.correlate(gf, vr, mode="valid")
    return np.flip(np.correlate(gf, a, mode="valid"))


def ediff1d_grad(g, ary, to_begin=None):
    """Cotangent of ``ary`` for ``np.ediff1d(ary, to_end, to_begin)``."""
    start = 0 if to_begin is None else np.size(to_begin)
    inner = g[start : start + max(np.size(ary) - 1, 0)]
    edge = np.zeros_like(g[:1])
    return np.reshape(np.concatenate([edge, inner]) - np.concatenate([inner, edge]), shape(ary))


def ediff1d_jvp(dary, to_end=None, to_begin=None):
    """Tangent of ``np.ediff1d(ary, to_end, to_begin)``: the constant ends do not move."""
    nb = 0 if to_begin is None else np.size(to_begin)
    ne = 0 if to_end is None else np.size(to_end)
    return np.pad(np.diff(np.ravel(dary)), (nb, ne))


def item_grad(g, x, args):
    """Cotangent of ``x`` for ``x.item(*args)``: ``g`` at the element read."""
    out = zeros_like(x)
    flat = np.reshape(out, (-1,))
    if not args:
        flat[0] = g
    elif len(args) == 1:
        flat[args[0]] = g
    else:
        out[tuple(args)] = g
    return out


def item_jvp(dx, args):
    """Tangent of ``x.item(*args)``."""
    if not args:
        return np.reshape(dx, (-1,))[0]
    if len(args) == 1:
        return np.reshape(dx, (-1,))[args[0]]
    return dx[tuple(args)]


# -- interpolation -----------------------------------------------------------------


def _interp_parts(x, xp, period):
    """For each x: the left knot index k, the knots around it, and the inside mask."""
    if period is not None:
        raise SrcgradError("srcgrad: the derivative of np.interp(period=...) is not implemented")
    n = np.size(xp)
    k = np.clip(np.searchsorted(xp, x, side="right") - 1, 0, n - 2)
    below, above = x < xp[0], x > xp[n - 1]
    return k, xp[k], xp[k + 1], below, above


def _interp_weights(x, xp, left, right, period):
    """(k, weight of fp[k], weight of fp[k+1], slope mask) of np.interp at x."""
    k, x0, x1, below, above = _interp_parts(x, xp, period)
    t = np.clip((x - x0) / (x1 - x0), 0, 1)
    w0, w1 = 1 - t, t
    if left is not None:
        w0, w1 = np.where(below, 0, w0), np.where(below, 0, w1)
    if right is not None:
        w0, w1 = np.where(above, 0, w0), np.where(above, 0, w1)
    return k, w0, w1, ~(below | above)


def interp_grad_x(g, x, xp, fp, period=None):
    """Cotangent of ``x`` in ``np.interp``: the slope between the knots, 0 outside."""
    k, x0, x1, below, above = _interp_parts(x, xp, period)
    slope = (fp[k + 1] - fp[k]) / (x1 - x0)
    return g * np.where(below | above, 0, slope)


def interp_grad_fp(g, x, xp, fp, left=None, right=None, period=None):
    """Cotangent of ``fp`` in ``np.interp``."""
    k, w0, w1, _ = _interp_weights(x, xp, left, right, period)
    out = zeros_like(fp)
    g = g * np.ones_like(w0)
    add_at(out, np.ravel(k), np.ravel(g * w0))
    add_at(out, np.ravel(k + 1), np.ravel(g * w1))
    return out


def interp_grad_xp(g, x, xp, fp, period=None):
    """Cotangent of ``xp`` in ``np.interp`` (moving the knots moves the line)."""
    k, x0, x1, below, above = _interp_parts(x, xp, period)
    slope = (fp[k + 1] - fp[k]) / (x1 - x0)
    t = (x - x0) / (x1 - x0)
    gi = np.where(below | above, 0, g)
    out = zeros_like(xp)
    add_at(out, np.ravel(k), np.ravel(gi * slope * (t - 1)))
    add_at(out, np.ravel(k + 1), np.ravel(-gi * slope * t))
    return out


def interp_grad_edge(g, x, xp, side, period=None):
    """Cotangent of ``left`` (``side=0``) or ``right`` in ``np.interp``."""
    _, _, _, below, above = _interp_parts(x, xp, period)
    return unbroadcast(np.where(below if side == 0 else above, g, 0), 0.0)


def interp_jvp(dx, dxp, dfp, dleft, dright, x, xp, fp, left=None, right=None, period=None):
    """Tangent of ``np.interp(x, xp, fp, left, right)``."""
    k, x0, x1, below, above = _interp_parts(x, xp, period)
    inside = ~(below | above)
    slope = (fp[k + 1] - fp[k]) / (x1 - x0)
    out = 0.0 * slope
    if not _is_zero(dx):
        out = out + dx * np.where(inside, slope, 0)
    if not _is_zero(dfp):
        _, w0, w1, _ = _interp_weights(x, xp, left, right, period)
        out = out + dfp[k] * w0 + dfp[k + 1] * w1
    if not _is_zero(dxp):
        t = (x - x0) / (x1 - x0)
        out = out + np.where(inside, slope * ((t - 1) * dxp[k] - t * dxp[k + 1]), 0)
    if not _is_zero(dleft):
        out = out + np.where(below, dleft, 0)
    if not _is_zero(dright):
        out = out + np.where(above, dright, 0)
    return out


# -- selections, reshapings and polynomials -------------------------------------------


def rollaxis_grad(g, a, axis, start=0):
    """Cotangent of ``a`` for ``np.rollaxis(a, axis, start)``: move the axis back."""
    nd = np.ndim(a)
    axis, start = axis % nd, start % (nd + 1)
    dest = start if start <= axis else start - 1
    return np.moveaxis(g, dest, axis)


def resize_grad(g, a, new_shape):
    """Cotangent of ``a`` for ``np.resize(a, new_shape)``: repeated entries add up."""
    n = np.size(a)
    idx = np.resize(np.arange(n, like=_like(g)), np.shape(g))
    out = np.bincount(np.ravel(idx), weights=np.ravel(g), minlength=n)
    return np.reshape(out, shape(a)).astype(np.result_type(g))


def compress_grad(g, condition, a, axis=None):
    """Cotangent of ``a`` for ``np.compress(condition, a, axis)``."""
    out = zeros_like(a)
    flat = np.reshape(out, (-1,)) if axis is None else np.moveaxis(out, axis, 0)
    keep = np.nonzero(_on_device(condition, out))[0]
    flat[keep] = g if axis is None else np.moveaxis(g, axis, 0)
    return out


def extract_grad(g, condition, arr):
    """Cotangent of ``arr`` for ``np.extract(condition, arr)``."""
    out = zeros_like(arr)
    np.reshape(out, (-1,))[np.flatnonzero(_on_device(condition, out))] = g
    return out


def delete_grad(g, arr, obj, axis=None):
    """Cotangent of ``arr`` for ``np.delete(arr, obj, axis)``: zeros where deleted."""
    out = zeros_like(arr)
    flat = np.reshape(out, (-1,)) if axis is None else np.moveaxis(out, axis, 0)
    keep = np.delete(np.arange(flat.shape[0], like=_like(g)), obj)
    flat[keep] = g if axis is None else np.moveaxis(g, axis, 0)
    return out


def choose_grad(g, a, choices, mode="raise"):
    """Cotangents of the list ``choices`` in ``np.choose(a, choices, mode=mode)``."""
    n = len(choices)
    if mode == "wrap":
        a = np.mod(a, n)
    elif mode == "clip":
        a = np.clip(a, 0, n - 1)
    return [unbroadcast(np.where(a == k, g, 0), c) for k, c in enumerate(choices)]


def cumulative_grad(f, g, ans, x, axis=None, include_initial=False):
    """Cotangent of ``x`` for ``np.cumulative_sum``/``cumulative_prod`` (``f``: "sum"/"prod")."""
    ax = 0 if axis is None else axis
    if include_initial:
        keep = np.arange(1, np.shape(g)[ax], like=_like(g))
        g, ans = np.take(g, keep, axis=ax), np.take(ans, keep, axis=ax)
    if f == "sum":
        return cumsum_grad(g, x, ax)
    return cumprod_grad(g, ans, x, ax)


def cumulative_prod_jvp(dx, ans, x, axis=None, include_initial=False):
    """Tangent of ``np.cumulative_prod``."""
    ax = 0 if axis is None else axis
    out = cumprod_jvp(dx, np.cumprod(x, axis=ax), x, ax)
    if include_initial:
        pad = [(0, 0)] * np.ndim(out)
        pad[ax] = (1, 0)
        out = np.pad(out, pad)
    return out


def polyval_grad_p(g, p, x):
    """Cotangent of the coefficients ``p`` in ``np.polyval(p, x)``: g times each power of x."""
    n = np.size(p)
    k = np.arange(n - 1, -1, -1, like=_like(p))
    powers = np.expand_dims(_beside(p, x), -1) ** k  # x.shape + (n,)
    gk = np.expand_dims(_beside(p, g), -1)
    return np.reshape(gk * powers, (-1, n)).sum(axis=0).astype(np.result_type(g, p))


def polyval_grad_x(g, p, x):
    """Cotangent of ``x`` in ``np.polyval(p, x)``: g * p'(x)."""
    n = np.size(p)
    if n < 2:
        return zeros_like(x) * g
    dp = p[:-1] * np.arange(n - 1, 0, -1, dtype=p.dtype, like=_like(p))
    return unbroadcast(g * np.polyval(dp, x), x)


def polyval_jvp(dp, dx, p, x):
    """Tangent of ``np.polyval(p, x)``."""
    out = 0.0
    if not _is_zero(dp):
        out = out + np.polyval(dp, x)
    if not _is_zero(dx):
        n = np.size(p)
        deriv = p[:-1] * np.arange(n - 1, 0, -1, dtype=p.dtype, like=_like(p))
        out = out + dx * (np.polyval(deriv, x) if n > 1 else 0)
    return out


def vander_deriv(x, N=None, increasing=False):
    """d vander(x)[:, j] / d x: the column of k x**(k-1) for each power k."""
    n = np.size(x) if N is None else N
    k = np.arange(n, like=_like(x)) if increasing else np.arange(n - 1, -1, -1, like=_like(x))
    return k * np.expand_dims(x, 1) ** np.where(k > 0, k - 1, 0)


def vander_grad(g, x, N=None, increasing=False):
    """Cotangent of ``x`` for ``np.vander(x, N, increasing)``."""
    return np.sum(g * vander_deriv(x, N, increasing), axis=1)


def cov_grad(g, m, rowvar=True, bias=False, ddof=None, y=None):
    """Cotangent of ``m`` for ``np.cov(m, rowvar=rowvar, bias=bias, ddof=ddof)``."""
    _check_cov(y)
    x = np.atleast_2d(m)
    if not rowvar and np.ndim(m) > 1:
        x = np.swapaxes(x, 0, 1)
    n = x.shape[1]
    if ddof is None:
        ddof = 0 if bias else 1
    centered = x - np.mean(x, axis=1, keepdims=True)
    gm = np.reshape(_beside(x, g), (x.shape[0], x.shape[0]))
    dx = (gm + np.swapaxes(gm, 0, 1)) @ centered / (n - ddof)
    if not rowvar and np.ndim(m) > 1:
        dx = np.swapaxes(dx, 0, 1)
    return np.reshape(dx, shape(m))


def _check_cov(y):
    if y is not None:
        raise SrcgradError(
            "srcgrad: the derivative of np.cov(m, y) is not implemented; "
            "pass np.vstack([m, y]) as m"
        )


def cov_jvp(dm, m, rowvar=True, bias=False, ddof=None, y=None):
    """Tangent of ``np.cov(m, ...)``."""
    _check_cov(y)
    x, dx = np.atleast_2d(m), np.atleast_2d(dm)
    if not rowvar and np.ndim(m) > 1:
        x, dx = np.swapaxes(x, 0, 1), np.swapaxes(dx, 0, 1)
    n = x.shape[1]
    if ddof is None:
        ddof = 0 if bias else 1
    c = x - np.mean(x, axis=1, keepdims=True)
    dc = dx - np.mean(dx, axis=1, keepdims=True)
    t = c @ np.swapaxes(dc, 0, 1)
    out = (t + np.swapaxes(t, 0, 1)) / (n - ddof)
    return np.reshape(out, ()) if np.ndim(m) == 1 else out


def quantile_grad(g, a, q, axis=None, keepdims=False, scale=1.0, method="linear"):
    """Cotangent of ``a`` for ``np.quantile(a, q, axis, keepdims=keepdims)`` (linear method).

    ``scale`` is 0.01 for ``np.percentile``.
    """
    lo, hi, w, moved_shape, flat, axes, dest = _quantile_parts(a, q, axis, scale, method)
    nq = np.ndim(q)
    lead = moved_shape[: len(moved_shape) - len(axes)]
    gq = np.reshape(_beside(flat, g), np.shape(q) + lead)  # q's axes first, like numpy's result
    gq = np.moveaxis(np.reshape(gq, (-1,) + lead), 0, -1) if nq else np.expand_dims(gq, -1)
    out = zeros_like(flat)
    add_at(out, _along_last(lo), gq * (1 - w))
    add_at(out, _along_last(hi), gq * w)
    return np.moveaxis(np.reshape(out, moved_shape), dest, axes)


def quantile_grad_q(g, a, q, axis=None, keepdims=False, scale=1.0, method="linear"):
    """Cotangent of ``q`` in ``np.quantile``: the slope between the two ranks used."""
    lo, hi, w, moved_shape, flat, axes, dest = _quantile_parts(a, q, axis, scale, method)
    n = flat.shape[-1]
    slope = (np.take_along_axis(flat, hi, -1) - np.take_along_axis(flat, lo, -1)) * (n - 1) * scale
    lead = moved_shape[: len(moved_shape) - len(axes)]
    gq = np.reshape(_beside(flat, g), np.shape(q) + lead)
    slope = np.moveaxis(slope, -1, 0) if np.ndim(q) else slope[..., 0]
    slope = np.reshape(slope, np.shape(gq))
    return unbroadcast(np.sum(np.reshape(gq * slope, np.shape(q) + (-1,)), axis=-1), q)


def quantile_jvp(da, dq, a, q, axis=None, keepdims=False, scale=1.0, method="linear"):
    """Tangent of ``np.quantile`` (linear method)."""
    lo, hi, w, moved_shape, flat, axes, dest = _quantile_parts(a, q, axis, scale, method)
    lead = moved_shape[: len(moved_shape) - len(axes)]
    t = 0.0
    if not _is_zero(da):
        d = np.reshape(np.moveaxis(da * np.ones_like(a), axes, dest), flat.shape)
        t = np.take_along_axis(d, lo, -1) * (1 - w) + np.take_along_axis(d, hi, -1) * w
    if not _is_zero(dq):
        n = flat.shape[-1]
        slope = np.take_along_axis(flat, hi, -1) - np.take_along_axis(flat, lo, -1)
        t = t + slope * (n - 1) * scale * np.ravel(dq * np.ones_like(_on_device(q, flat)))
    t = np.moveaxis(t, -1, 0) if np.ndim(q) else t[..., 0]
    if keepdims:  # numpy's result: q's axes, then a's with the reduced ones kept as 1
        lead = _kept_shape(a, axes)
    return np.reshape(t, np.shape(q) + lead)


def _quantile_parts(a, q, axis, scale, method):
    if method != "linear":
        raise SrcgradError(
            f"srcgrad: the derivative of np.quantile(method={method!r}) is not "
            "implemented; use the default method='linear'"
        )
    moved, flat, axes, dest = _reduced_last(a, axis)
    lead, n = flat.shape[:-1], flat.shape[-1]
    order = np.argsort(flat, axis=-1, kind="stable")
    h = np.ravel(_on_device(q, flat) * scale) * (n - 1)
    lo_rank = np.clip(np.floor(h), 0, n - 1).astype(np.intp)
    hi_rank = np.clip(lo_rank + 1, 0, n - 1)
    w = (h - lo_rank).astype(np.result_type(a))
    shp = lead + (np.size(h),)
    lo = np.take_along_axis(order, np.broadcast_to(lo_rank, shp), -1)
    hi = np.take_along_axis(order, np.broadcast_to(hi_rank, shp), -1)
    return lo, hi, w, moved.shape, flat, axes, dest
