"""The small runtime that generated gradient code calls.

Everything here works on Python scalars, numpy arrays and cupy arrays alike:
arrays are created with ``*_like`` functions or through the input's own
module, never from a bare shape, so they stay on the input's device.
"""

import numpy as np

_SCALARS = (float, int, complex, bool)


def shape(x):
    """The shape of an array, ``()`` for a Python scalar."""
    return () if type(x) in _SCALARS else x.shape


def unbroadcast(g, x):
    """Sum the cotangent ``g`` down to the shape of ``x`` (undo broadcasting)."""
    tg = type(g)
    if tg is type(x) and (tg in _SCALARS_0D or tg is np.ndarray and g.shape == x.shape):
        return g  # the common cases, checked first because they are the hot path
    xshape = getattr(x, "shape", None)
    if xshape is not None and getattr(g, "shape", None) == xshape:
        return g
    tx = type(x)
    if tx is float or tx is int:
        if type(g) is float:
            return g
        if not _on_host(g):
            return g.sum()  # stays on its device; the final gradient becomes a float
        total = g.sum() if type(g) is np.ndarray else np.sum(g)
        return float(total) if tx is float else total
    xshape = getattr(x, "shape", ())
    gshape = getattr(g, "shape", ())
    if gshape == xshape:
        return g
    if not gshape:
        # A scalar cotangent for an array: broadcast it up.
        if hasattr(x, "__array_function__"):
            return np.broadcast_to(_beside(x, g), xshape)
        return g
    extra = len(gshape) - len(xshape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(xshape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g


# types whose values all have the same (0-d) shape: Python floats, numpy scalars
_SCALARS_0D = frozenset({float, np.float64, np.float32, np.float16})


def _on_host(v):
    return type(v) in _SCALARS or isinstance(v, (np.ndarray, np.generic))


def _beside(x, v):
    """A Python number ``v`` as a 0-d array to go with the array ``x``, else ``v`` unchanged.

    numpy makes host float64 arrays of Python numbers (``np.expand_dims(1.0,
    0)``); this one is on ``x``'s device, and of ``x``'s dtype when ``x`` is
    floating, so that a cotangent such as ``dout=1.0`` broadcast to a cupy or
    float32 ``x`` stays on its device and in float32. A numpy scalar (``np.exp`` of
    a Python float) goes to a device ``x``'s device as it is, dtype included.
    """
    if isinstance(v, np.generic):
        on_device = hasattr(x, "__array_function__") and not isinstance(x, np.ndarray)
        return np.asarray(v, like=x) if on_device else v
    if type(v) not in _SCALARS or not hasattr(x, "__array_function__"):
        return v
    dtype = x.dtype if x.dtype.kind == "c" or x.dtype.kind == "f" and type(v) is not complex \
        else None
    if isinstance(x, np.ndarray):
        return v if dtype is None else np.asarray(v, dtype=dtype)
    return np.asarray(v, dtype=dtype, like=x)


def array_like(v, x):
    """``v``, if a Python number, as a 0-d array on ``x``'s device (of ``x``'s float dtype).

    For templates that pass a possibly-scalar argument to a numpy function
    that would otherwise make a host array of it (``np.ravel(2.0)``).
    """
    return _beside(x, v)


def zeros_like(x):
    """A zero cotangent for ``x``: ``0.0`` for a Python scalar, else an array."""
    if type(x) is np.ndarray and x.dtype.kind in "fc":
        return np.zeros(x.shape, x.dtype)  # a numpy array: the same as, and faster than, zeros_like
    if type(x) in _SCALARS or x is None:
        return 0.0
    if isinstance(x, (list, tuple)):
        return [zeros_like(v) for v in x]
    return np.zeros_like(x, dtype=np.result_type(x.dtype, np.float32))


def to_float(g, x):
    """Give the final gradient of input ``x`` its argument's type and dtype."""
    if type(x) is float:
        return g if type(g) is float else float(g)
    if type(x) is np.ndarray and type(g) is np.ndarray and g.dtype == x.dtype and \
            g.shape == x.shape and g.flags.writeable:
        return g
    if type(x) is int:
        return float(g)
    if isinstance(x, np.generic):
        return x.dtype.type(g) if x.dtype.kind in "fc" else g
    if isinstance(x, list):
        return [to_float(gi, xi) for gi, xi in zip(g, x)]
    if isinstance(x, tuple):
        return tuple(to_float(gi, xi) for gi, xi in zip(g, x))
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        return g
    host = isinstance(x, np.ndarray)
    if getattr(g, "shape", None) != x.shape:
        # a scalar or smaller cotangent; on a device, broadcast with x's own module
        g = np.broadcast_to(g, x.shape) if host else g + np.zeros_like(x)
    if dtype.kind in "fc":
        if getattr(g, "dtype", None) != dtype or type(g) is not type(x):
            g = np.asarray(g, dtype=dtype) if host else g.astype(dtype)
        elif not _owns_its_data(g):
            g = g.copy()
    return g


def _owns_its_data(a):
    """False for a read-only or broadcast view, which must not be handed to the caller."""
    if type(a) is np.ndarray:
        return a.flags.writeable
    flags = a.flags  # cupy's flags have no `writeable`: a broadcast view is not contiguous
    return flags.c_contiguous or flags.f_contiguous


def is_basic_index(idx):
    """True when ``idx`` selects by ints, slices, None and Ellipsis only."""
    if isinstance(idx, tuple):
        return all(is_basic_index(i) for i in idx)
    return idx is None or idx is Ellipsis or isinstance(idx, (int, np.integer, slice))


def add_at(acc, idx, g):
    """``acc[idx] += g`` that also sums repeated integer-array indices."""
    if isinstance(acc, list):
        acc[idx] = acc[idx] + g
    elif is_basic_index(idx):
        acc[idx] += g
    elif type(acc) is np.ndarray or not hasattr(acc, "scatter_add"):
        np.add.at(acc, _index_for(acc, idx), g)
    else:
        acc.scatter_add(_index_for(acc, idx), g)  # cupy: older versions lack ufunc.at


def _index_for(acc, idx):
    """``idx`` with its numpy arrays and lists moved to the device of ``acc`` (a cupy array)."""
    if type(acc) is np.ndarray:
        return idx
    if isinstance(idx, tuple):
        return tuple(_index_for(acc, i) for i in idx)
    if isinstance(idx, (list, np.ndarray)):
        return np.asarray(idx, like=acc)
    return idx


def index_grad(g, x, idx):
    """The cotangent of ``x`` for the read ``x[idx]`` with cotangent ``g``."""
    acc = zeros_like(x)
    add_at(acc, idx, g)
    return acc


def take_grad(acc, idx):
    """Remove and return the cotangent flowing into the write ``x[idx] = v``.

    Where an integer-array index repeats a position, only the last write
    took effect, so only that one receives the cotangent.
    """
    out = acc[idx]
    out = out.copy() if hasattr(out, "copy") else out
    if not is_basic_index(idx):
        _zero_overwritten(out, acc, idx)
    acc[idx] = 0
    return out


def _zero_overwritten(out, acc, idx):
    idx = _index_for(acc, idx)
    parts = idx if isinstance(idx, tuple) else (idx,)
    arrays = [np.asarray(p) if isinstance(p, list) else p for p in parts]
    if len(arrays) > acc.ndim or any(getattr(a, "dtype", np.dtype(object)).kind not in "iu"
                                     for a in arrays):
        return  # boolean masks and mixed indices select each position once
    flat = np.ravel_multi_index(
        tuple(np.broadcast_arrays(*arrays)), acc.shape[: len(arrays)], mode="wrap")
    flat = flat.ravel()
    last = np.zeros_like(flat, dtype=bool)
    _, first_of_reversed = np.unique(flat[::-1], return_index=True)
    last[flat.size - 1 - first_of_reversed] = True
    # (no `if not last.all()`: on a device that test would wait for the device)
    out.reshape((flat.size,) + acc.shape[len(arrays):])[~last] = 0


def save(x, idx):
    """A copy of ``x[idx]``, the part an in-place write is about to overwrite."""
    part = x[idx]
    return part.copy() if hasattr(part, "copy") else part


def sum_grad(g, x, axis=None, keepdims=False):
    """Cotangent of ``x`` for ``sum(x, axis, keepdims)``: broadcast ``g`` back."""
    xshape = shape(x)
    if not xshape:
        return g
    g = _beside(x, g)
    if axis is not None and not keepdims:
        g = np.expand_dims(g, _normalize_axis(axis, len(xshape)))
    return np.broadcast_to(g, xshape)


def mean_grad(g, x, axis=None, keepdims=False):
    """Cotangent of ``x`` for ``mean(x, axis, keepdims)``."""
    xshape = shape(x)
    axes = tuple(range(len(xshape))) if axis is None else _normalize_axis(axis, len(xshape))
    count = 1
    for a in axes:
        count *= xshape[a]
    return sum_grad(g / count, x, axis, keepdims)


def minmax_grad(g, ans, x, axis=None, keepdims=False):
    """Cotangent of ``x`` for ``max``/``min``: shared equally between ties."""
    xshape = shape(x)
    if not xshape:
        return g
    g = _beside(x, g)
    if axis is not None and not keepdims:
        ax = _normalize_axis(axis, len(xshape))
        ans = np.expand_dims(ans, ax)
        g = np.expand_dims(g, ax)
    mask = x == ans
    count = mask.sum(axis=axis, keepdims=True)
    return g * mask / count.astype(np.result_type(x, np.float32))


def _normalize_axis(axis, ndim):
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(sorted(a % ndim for a in axes))


def _ndim(x):
    return x.ndim if type(x) is np.ndarray else np.ndim(x)


def matmul_grad_a(g, a, b):
    """Cotangent of ``a`` in ``a @ b`` for any ranks numpy's matmul accepts."""
    na, nb = _ndim(a), _ndim(b)
    if na == 2 and nb == 2:
        return g @ b.T
    if na == 2 and nb == 1:
        return g[:, None] * b
    if na == 1 and nb == 2:
        return b @ g
    if nb == 1:
        if na == 1:
            return g * b
        return unbroadcast(np.expand_dims(g, -1) * b, a)
    if na == 1:
        return unbroadcast((np.expand_dims(g, -2) @ np.swapaxes(b, -1, -2))[..., 0, :], a)
    return unbroadcast(g @ np.swapaxes(b, -1, -2), a)


def matmul_grad_b(g, a, b):
    """Cotangent of ``b`` in ``a @ b``."""
    na, nb = _ndim(a), _ndim(b)
    if na == 2 and nb == 2:
        return a.T @ g
    if na == 2 and nb == 1:
        return g @ a
    if na == 1 and nb == 2:
        return a[:, None] * g
    if na == 1:
        if nb == 1:
            return g * a
        return unbroadcast(np.expand_dims(a, -1) * np.expand_dims(g, -2), b)
    if nb == 1:
        return unbroadcast((np.swapaxes(a, -1, -2) @ np.expand_dims(g, -1))[..., 0], b)
    return unbroadcast(np.swapaxes(a, -1, -2) @ g, b)


def select_grad(g, items, ans):
    """Cotangent of the list ``items`` for ``max(items)``/``min(items)`` = ``ans``."""
    out = [zeros_like(v) for v in items]
    for k, v in enumerate(items):
        if v is ans or (np.ndim(v) == 0 and v == ans):
            out[k] = g
            break
    return out


def stack_grad(g, n, axis=0):
    """Split the cotangent of ``stack(list_of_n, axis)`` into its n parts."""
    return list(np.moveaxis(g, axis, 0)) if n else []


# ---------------------------------------------------------------------------
# Helpers for the rule library (srcgrad.rules).  Each one is shared by
# several derivative templates; see the templates in srcgrad/rules/*.py.
# ---------------------------------------------------------------------------

import math as _math  # noqa: E402


def _is_zero(t):
    """True for the literal zero tangent the engine substitutes (``0.0``)."""
    return type(t) in _SCALARS and t == 0


def lin(dt, f):
    """``f(dt)`` for a linear map ``f``; a literal zero tangent stays ``0.0``.

    Lets a jvp template apply a map that a Python scalar cannot go through
    (``t @ b``) or whose coefficient may be inf or nan where the tangent is
    zero anyway (``t * log(x)`` at ``x <= 0``).
    """
    return 0.0 if _is_zero(dt) else f(dt)


def broadcast_like(t, ans):
    """The tangent ``t`` with ``ans``'s shape (when a broadcast partner had none)."""
    if type(ans) in _SCALARS or shape(t) == shape(ans):
        return t
    return t + np.zeros_like(ans)


def tangents(dxs, xs):
    """The tangents of a list (or varargs tuple) ``xs``, zeros filled in."""
    if _is_zero(dxs):
        return [zeros_like(x) for x in xs]
    return [zeros_like(x) if _is_zero(d) else d for d, x in zip(dxs, xs, strict=True)]


def sign(x):
    """``np.sign`` that keeps Python scalars Python scalars."""
    if type(x) in _SCALARS:
        return float((x > 0) - (x < 0))
    return np.sign(x)


def log0(x):
    """``log(x)`` with 0 where ``x == 0`` (and nan, silently, where ``x < 0``).

    The exponent's cotangent in ``x ** y`` is ``g * ans * log(x)``; at
    ``x == 0`` the product is 0 (for ``y > 0``), not ``0 * -inf``.
    """
    if type(x) in _SCALARS:
        return _math.log(x) if x > 0 else (0.0 if x == 0 else _math.nan)
    return np.where(x < 0, np.nan, np.log(np.where(x > 0, x, 1)))


def pow_dx(x, y):
    """``d(x ** y)/dx = y * x ** (y - 1)``, exactly 0 where ``y == 0``."""
    if type(y) in _SCALARS:
        if y == 2:
            return 2 * x
        return y * x ** (y - 1) if y != 0 else x * 0
    return y * x ** np.where(y == 0, 1, y - 1)


def pick_grad(g, x, other, ans):
    """Cotangent of ``x`` in an elementwise pick (maximum, fmin, ...) of ``x``, ``other``.

    ``g`` goes where ``x`` was picked (``x == ans``); ties are split equally.
    Also the jvp: ``pick_grad(dx, ...) + pick_grad(dother, ...)``.
    """
    if _is_zero(g):
        return 0.0
    picked = x == ans
    tie = x == other
    if _on_host(tie) and not np.any(tie):
        return g * picked  # (skipped on a device, where the test would wait for it)
    return g * picked - (g * 0.5) * (picked & tie)


def clip_mask(x, lo, hi):
    """True where ``lo <= x <= hi`` (a ``None`` bound is no bound)."""
    mask = True
    if lo is not None:
        mask = mask & (x >= lo)
    if hi is not None:
        mask = mask & (x <= hi)
    return mask


def clip_jvp(dx, dlo, dhi, x, lo, hi, ans):
    """Tangent of ``clip(x, lo, hi)``: from ``x`` inside, from a bound outside."""
    t = lin(dx, lambda t: t * clip_mask(x, lo, hi))
    if lo is not None:
        t = t + lin(dlo, lambda t: t * (x < lo))
    if hi is not None:
        t = t + lin(dhi, lambda t: t * (x > hi))
    return broadcast_like(t, ans)


def sinc_deriv(x, ans):
    """Derivative of ``np.sinc`` at ``x`` (``ans = sinc(x)``), 0 at 0."""
    if type(x) in _SCALARS:
        return 0.0 if x == 0 else (_math.cos(_math.pi * x) - ans) / x
    safe = np.where(x == 0, 1, x)
    return np.where(x == 0, 0, (np.cos(np.pi * safe) - ans) / safe)


def digamma(x):
    """The digamma function psi(x) for a Python float (derivative of lgamma)."""
    if x <= 0 and x == _math.floor(x):
        return _math.nan
    if x < 0.5:  # reflection: psi(1 - x) - psi(x) = pi / tan(pi x)
        return digamma(1.0 - x) - _math.pi / _math.tan(_math.pi * x)
    acc = 0.0
    while x < 10.0:  # psi(x) = psi(x + 1) - 1/x
        acc -= 1.0 / x
        x += 1.0
    inv2 = 1.0 / (x * x)
    series = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132))))
    return acc + _math.log(x) - 0.5 / x - series


# -- reductions -------------------------------------------------------------


def _axes(x, axis):
    nd = len(shape(x))
    return tuple(range(nd)) if axis is None else _normalize_axis(axis, nd)


def _reduced_last(x, axis):
    """``x`` with the axes a reduction over ``axis`` removes moved last and flattened into one.

    Returns ``(moved, flat, axes, dest)``: the moved array, its flattened form
    (shape ``leading + (count,)``), the reduced axes and where they were moved.
    """
    nd = len(shape(x))
    axes = _axes(x, axis)
    dest = tuple(range(nd - len(axes), nd))
    moved = np.moveaxis(x, axes, dest)
    flat = np.reshape(moved, moved.shape[: nd - len(axes)] + (-1,))
    return moved, flat, axes, dest


def _count(x, axis):
    xshape = shape(x)
    n = 1
    for a in _axes(x, axis):
        n *= xshape[a]
    return n


def _keep(t, x, axis, keepdims):
    """Re-insert the reduced axes into ``t`` (a reduction's cotangent)."""
    if axis is not None and not keepdims and shape(x):
        return np.expand_dims(_beside(x, t), _axes(x, axis))
    return t


def _prod_others(x, axis):
    """For each element of ``x``, the product of the others in its reduction."""
    xshape = shape(x)
    if not xshape:
        return np.ones_like(x)
    moved, flat, axes, dest = _reduced_last(x, axis)
    one = np.ones_like(flat[..., :1])
    left = np.concatenate([one, np.cumprod(flat[..., :-1], axis=-1)], axis=-1)
    rflat = np.flip(flat, -1)
    right = np.concatenate([one, np.cumprod(rflat[..., :-1], axis=-1)], axis=-1)
    others = np.reshape(left * np.flip(right, -1), moved.shape)
    return np.moveaxis(others, dest, axes)


def prod_grad(g, x, axis=None, keepdims=False):
    """Cotangent of ``x`` for ``prod(x, axis, keepdims)``; exact with zeros in ``x``."""
    return sum_grad(g, x, axis, keepdims) * _prod_others(x, axis)


def prod_jvp(dx, x, axis=None, keepdims=False):
    """Tangent of ``prod(x, axis, keepdims)``."""
    return np.sum(dx * _prod_others(x, axis), axis=axis, keepdims=keepdims)


def minmax_jvp(dx, ans, x, axis=None, keepdims=False):
    """Tangent of ``max``/``min``: the mean tangent of the tied extremes."""
    if not shape(x):
        return dx
    mask = x == _keep(ans, x, axis, keepdims)
    count = mask.sum(axis=axis, keepdims=keepdims).astype(np.result_type(x, np.float32))
    return np.sum(dx * mask, axis=axis, keepdims=keepdims) / count


def var_grad(g, x, axis=None, ddof=0, keepdims=False):
    """Cotangent of ``x`` for ``var(x, axis, ddof=ddof, keepdims)``."""
    centered = x - np.mean(x, axis=axis, keepdims=True)
    return _keep(g, x, axis, keepdims) * centered * (2.0 / (_count(x, axis) - ddof))


def var_jvp(dx, x, axis=None, ddof=0, keepdims=False):
    """Tangent of ``var(x, axis, ddof=ddof, keepdims)``."""
    centered = x - np.mean(x, axis=axis, keepdims=True)
    total = np.sum(centered * dx, axis=axis, keepdims=keepdims)
    return total * (2.0 / (_count(x, axis) - ddof))


def cumsum_grad(g, x, axis=None):
    """Cotangent of ``x`` for ``cumsum(x, axis)``: a reversed cumulative sum."""
    if axis is None:
        return np.reshape(np.flip(np.cumsum(np.flip(np.ravel(g)))), shape(x))
    return np.flip(np.cumsum(np.flip(g, axis), axis=axis), axis)


# -- products ---------------------------------------------------------------


def dot_grad_a(g, a, b):
    """Cotangent of ``a`` in ``np.dot(a, b)`` (scalars, vectors, N-d)."""
    na, nb = np.ndim(a), np.ndim(b)
    if na == 0:
        return unbroadcast(g * b, a)
    if nb == 0:
        return g * b
    contracted = 0 if nb == 1 else nb - 2
    b_rest = [i for i in range(nb) if i != contracted]
    return np.tensordot(g, b, axes=(list(range(na - 1, na - 1 + len(b_rest))), b_rest))


def dot_grad_b(g, a, b):
    """Cotangent of ``b`` in ``np.dot(a, b)``."""
    na, nb = np.ndim(a), np.ndim(b)
    if nb == 0:
        return unbroadcast(g * a, b)
    if na == 0:
        return g * a
    lead = list(range(na - 1))
    out = np.tensordot(a, g, axes=(lead, lead))
    return np.moveaxis(out, 0, nb - 2) if nb >= 2 else out


_EINSUM_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _einsum_parse(subscripts, shapes):
    """Explicit-form subscripts: ellipses spelled out as letters, output given.

    Returns the input subscripts, the output subscript and an iterator of
    letters not used by either.
    """
    spec = subscripts.replace(" ", "")
    ins, out = spec.split("->") if "->" in spec else (spec, None)
    ins = ins.split(",")
    if len(ins) != len(shapes):
        raise ValueError(f"einsum {subscripts!r}: {len(shapes)} operands")
    used = {c for c in spec if c.isalpha()}
    fresh = (c for c in _EINSUM_LETTERS if c not in used)
    n_ell = [
        len(s) - (len(sub) - 3) if "..." in sub else 0 for sub, s in zip(ins, shapes, strict=True)
    ]
    ell = "".join(next(fresh) for _ in range(max(n_ell, default=0)))
    ins = [
        sub.replace("...", ell[len(ell) - n :] if n else "")
        for sub, n in zip(ins, n_ell, strict=True)
    ]
    if out is None:
        letters = "".join(ins)
        once = sorted(c for c in set(letters) - set(ell) if letters.count(c) == 1)
        out = ell + "".join(once)
    else:
        out = out.replace("...", ell)
    return ins, out, fresh


def einsum_grad(g, subscripts, operands, k):
    """Cotangent of ``operands[k]`` in ``np.einsum(subscripts, *operands)``.

    Contracts ``g`` with the other operands; a label repeated in operand k
    (a diagonal) is put back with an identity, a label only operand k has
    (summed out) is put back with ones, a broadcast size-1 axis is summed.
    """
    shapes = [shape(o) for o in operands]
    ins, out, fresh = _einsum_parse(subscripts, shapes)
    x = operands[k]
    terms = [out] + [s for j, s in enumerate(ins) if j != k]
    args = [g] + [o for j, o in enumerate(operands) if j != k]
    have = set("".join(terms))
    dtype = getattr(g, "dtype", None) or np.result_type(float)
    target = ""
    for label, n in zip(ins[k], shapes[k], strict=True):
        if label in target:  # repeated: a diagonal of operand k
            new = next(fresh)
            terms.append(label + new)
            args.append(np.eye(n, dtype=dtype, like=x))
            target += new
            continue
        if label not in have:
            terms.append(label)
            args.append(np.ones(n, dtype=dtype, like=x))
            have.add(label)
        target += label
    res = np.einsum(",".join(terms) + "->" + target, *args)
    return unbroadcast(res, x)


def einsum_vjp(g, subscripts, operands):
    """Cotangents of all operands of ``np.einsum``, as a tuple."""
    return tuple(einsum_grad(g, subscripts, operands, k) for k in range(len(operands)))


def einsum_jvp(subscripts, doperands, operands):
    """Tangent of ``np.einsum(subscripts, *operands)`` (it is linear in each)."""
    if _is_zero(doperands):
        return 0.0
    total = 0.0
    for k, dt in enumerate(doperands):
        if not _is_zero(dt):
            ops = list(operands)
            ops[k] = dt
            total = total + np.einsum(subscripts, *ops)
    return total


# -- shapes -----------------------------------------------------------------


def shape_arg(args):
    """``x.reshape(3, 4)`` and ``x.reshape((3, 4))`` both give ``(3, 4)``; ``-1`` gives ``-1``."""
    if isinstance(args, (int, np.integer)):
        return args
    if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
        return tuple(args[0])
    return tuple(args)


def axes_arg(args):
    """``x.transpose()``, ``x.transpose(1, 0)``, ``x.transpose((1, 0))``."""
    if not args or (len(args) == 1 and args[0] is None):
        return None
    return shape_arg(args)


def transpose_grad(g, axes=None):
    """Cotangent for ``transpose(x, axes)``: transpose by the inverse permutation."""
    if axes is None:
        return np.transpose(g)
    n = len(axes)
    inverse = sorted(range(n), key=lambda i: axes[i] % n)
    return np.transpose(g, inverse)


def _split_back(g, xs, shapes, axis):
    """Split ``g`` along ``axis`` into pieces of ``shapes``, reshaped like ``xs``."""
    axis = axis % g.ndim
    lead = (slice(None),) * axis
    out = []
    start = 0
    for s, x in zip(shapes, xs, strict=True):
        stop = start + s[axis]
        part = g[lead + (slice(start, stop),)]
        xshape = np.shape(x)
        out.append(part if part.shape == xshape else part.reshape(xshape))
        start = stop
    return out


def _at_least(s, n):
    s = tuple(s)
    if len(s) >= n:
        return s
    return (1,) * (n - len(s)) + s if n == 1 or not s else (1,) + s


def concatenate_grad(g, arrays, axis=0):
    """Cotangents of the arrays joined by ``np.concatenate(arrays, axis)``."""
    if axis is None:
        return _split_back(g, arrays, [(int(np.size(x)),) for x in arrays], 0)
    if axis == 0 and type(g) is np.ndarray and all(
            type(x) is np.ndarray and x.ndim == g.ndim for x in arrays):
        out = []  # the common case: numpy arrays of the same rank, joined along their first axis
        start = 0
        for x in arrays:
            stop = start + x.shape[0]
            out.append(g[start:stop])
            start = stop
        return out
    return _split_back(g, arrays, [np.shape(x) for x in arrays], axis)


def vstack_grad(g, arrays):
    """Cotangents of the arrays joined by ``np.vstack``."""
    return _split_back(g, arrays, [_at_least(np.shape(x), 2) for x in arrays], 0)


def hstack_grad(g, arrays):
    """Cotangents of the arrays joined by ``np.hstack``."""
    shapes = [_at_least(np.shape(x), 1) for x in arrays]
    return _split_back(g, arrays, shapes, 0 if len(shapes[0]) == 1 else 1)


def tile_grad(g, x, reps):
    """Cotangent of ``x`` for ``np.tile(x, reps)``: the sum of the tiles."""
    reps = tuple(reps) if isinstance(reps, (tuple, list)) else (reps,)
    xshape = shape(x)
    d = max(len(xshape), len(reps))
    xs = (1,) * (d - len(xshape)) + tuple(xshape)
    rs = (1,) * (d - len(reps)) + reps
    g = np.reshape(g, tuple(v for pair in zip(rs, xs, strict=True) for v in pair))
    return np.reshape(g.sum(axis=tuple(range(0, 2 * d, 2))), xshape)


# -- dtypes and array construction -------------------------------------------


def astype_grad(g, x, dtype):
    """Cotangent of ``x`` for ``x.astype(dtype)``: cast back (zero through ints)."""
    _check_not_complex(dtype)
    if np.dtype(dtype).kind not in "fc":
        return zeros_like(x)
    return g.astype(x.dtype)


def astype_jvp(dx, dtype):
    """Tangent of ``x.astype(dtype)`` (zero when ``dtype`` is not floating)."""
    _check_not_complex(dtype)
    if np.dtype(dtype).kind not in "fc":
        return zeros_like(dx)
    return dx.astype(dtype)


def _check_not_complex(dtype):
    if np.dtype(dtype).kind == "c":
        from srcgrad.errors import SrcgradError

        raise SrcgradError("srcgrad: the derivative of a cast to a complex dtype is not "
                           "implemented; srcgrad differentiates real-valued code only")


def array_grad(g, obj):
    """Cotangent of the argument of ``np.array(obj)``: nested lists get slices."""
    if isinstance(obj, (list, tuple)):
        return type(obj)(array_grad(gi, oi) for gi, oi in zip(g, obj, strict=True))
    return g


def fill_tangents(dobj, obj):
    """The tangent of ``obj`` (maybe a nested list) with zeros filled in."""
    if _is_zero(dobj):
        return zeros_like(obj)
    if isinstance(obj, (list, tuple)):
        return type(obj)(fill_tangents(d, o) for d, o in zip(dobj, obj, strict=True))
    return dobj


def writable(g, x):
    """A fresh, writable cotangent array for ``x`` holding ``g``."""
    out = zeros_like(x)
    if isinstance(out, list):
        return [a + b for a, b in zip(out, g)]
    out += g
    return out


def unpack_grad(parts, x):
    """Cotangent of ``x`` for ``a, b, ... = x`` from the cotangents of a, b, ..."""
    if isinstance(x, (tuple, list)):
        return list(parts)
    return np.stack([np.broadcast_to(_beside(x, p), np.shape(x[0])) for p in parts])


def add(a, b):
    """Sum of two cotangents that may be lists (or lists of lists)."""
    if isinstance(a, (list, tuple)):
        return [add(x, y) for x, y in zip(a, b)]
    return a + b


def snapshot(x):
    """A copy of a value the reverse sweep will restore in place."""
    if isinstance(x, list):
        return list(x)
    return x.copy() if hasattr(x, "copy") else x


def trace_grad(g, x, offset=0, axis1=0, axis2=1):
    """Cotangent of ``x`` for ``np.trace(x, offset, axis1, axis2)``: ``g`` on the diagonal."""
    xshape = shape(x)
    nd = len(xshape)
    a1, a2 = axis1 % nd, axis2 % nd
    g = _beside(x, g)
    dtype = getattr(g, "dtype", None) or np.result_type(float)
    eye = np.eye(xshape[a1], xshape[a2], k=offset, dtype=dtype, like=x)
    out = np.expand_dims(g, (-2, -1)) * eye
    return np.moveaxis(out, (-2, -1), (a1, a2))


def negate(shift):
    """``-shift`` for an int or a tuple of ints (``np.roll``'s inverse shift)."""
    return tuple(-s for s in shift) if isinstance(shift, (tuple, list)) else -shift


def repeat_list_grad(g, n, times):
    """Cotangent of the list ``lst`` in ``lst * times`` (n = len(lst))."""
    out = list(g[:n])
    for k in range(1, times):
        out = [a + b for a, b in zip(out, g[k * n:(k + 1) * n])]
    return out


def diagonal_grad(g, v, k=0):
    """Cotangent of the matrix ``v`` for ``np.diag(v, k)`` (a diagonal read)."""
    out = zeros_like(v)
    i = np.arange(shape(g)[0], like=out)
    if k >= 0:
        out[i, i + k] = g
    else:
        out[i - k, i] = g
    return out


def diff_grad(g, n=1, axis=-1):
    """Cotangent for ``np.diff(x, n, axis)``: the adjoint difference, n times."""
    for _ in range(n):
        edge = np.zeros_like(np.take(g, [0], axis=axis))
        g = -np.diff(np.concatenate([edge, g, edge], axis=axis), axis=axis)
    return g


def repeat_grad(g, x, repeats, axis=None):
    """Cotangent of ``x`` for ``np.repeat(x, repeats, axis)``: sum each run."""
    if axis is None:
        g, axis = np.ravel(g), 0
        n = int(np.size(x))
    else:
        n = shape(x)[axis]
    ends = np.cumsum(np.broadcast_to(np.asarray(repeats, like=g), (n,)))
    csum = np.cumsum(g, axis=axis)
    csum = np.concatenate([np.zeros_like(np.take(csum, [0], axis=axis)), csum], axis=axis)
    starts = np.concatenate([np.zeros_like(ends[:1]), ends[:-1]])
    out = np.take(csum, ends, axis=axis) - np.take(csum, starts, axis=axis)
    return np.reshape(out, shape(x))


def _sort_order(x, axis):
    return np.argsort(x, axis=axis, kind="stable")


def sort_grad(g, x, axis=-1):
    """Cotangent of ``x`` for ``np.sort(x, axis)``: ``g`` sent back unsorted."""
    if axis is None:
        return np.reshape(sort_grad(g, np.ravel(x), 0), shape(x))
    # g goes back through the inverse permutation (cupy before 13 has no put_along_axis)
    unsort = np.argsort(_sort_order(x, axis), axis=axis)
    return np.take_along_axis(g, unsort, axis=axis)


def sort_jvp(dx, x, axis=-1):
    """Tangent of ``np.sort(x, axis)``: ``dx`` in sorted order."""
    if axis is None:
        return sort_jvp(np.ravel(dx), np.ravel(x), 0)
    return np.take_along_axis(dx, _sort_order(x, axis), axis=axis)


# ---------------------------------------------------------------------------
# Helpers of the extended numpy and linalg rules live in their own modules;
# generated code reaches them as rt.<name> through these re-exports.
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# Forward mode (transforms/tangent.py and srcgrad/rules/runtime_rules.py).
# ---------------------------------------------------------------------------


def copy(t):
    """A private copy of a tangent about to be written in place."""
    if isinstance(t, list):
        return list(t)
    return t.copy() if hasattr(t, "copy") else t


def div0(x):
    """``1 / x`` with 0 where ``x == 0``: the derivative of :func:`log0`."""
    if type(x) in _SCALARS:
        return 1.0 / x if x != 0 else 0.0
    return np.where(x == 0, 0, 1 / np.where(x == 0, 1, x))


def select_tangent(dxs, xs, ans):
    """Tangent of ``max(xs)``/``min(xs)`` = ``ans`` for a list: the picked item's."""
    for k, v in enumerate(xs):
        if v is ans or (np.ndim(v) == 0 and v == ans):
            return dxs[k]
    return zeros_like(ans)


def einsum_vjp_jvp(dg, g, subscripts, doperands, operands):
    """Tangent of :func:`einsum_vjp`: it is linear in ``g`` and in each other operand."""
    out = []
    for j in range(len(operands)):
        t = 0.0 if _is_zero(dg) else einsum_grad(dg, subscripts, operands, j)
        if not _is_zero(doperands):
            for k, dk in enumerate(doperands):
                if k != j and not _is_zero(dk):
                    ops = list(operands)
                    ops[k] = dk
                    t = t + einsum_grad(g, subscripts, ops, j)
        out.append(zeros_like(operands[j]) if _is_zero(t) else t)
    return tuple(out)


def _prod_others_jvp(dx, x, axis):
    """Tangent of :func:`_prod_others`: each element's product of the others, differentiated."""
    xshape = shape(x)
    if not xshape:
        return zeros_like(x)
    moved, flat, axes, dest = _reduced_last(x, axis)
    n = flat.shape[-1]
    dflat = np.reshape(np.moveaxis(dx, axes, dest), flat.shape)
    # left[i] = prod(flat[:i]), right[i] = prod(flat[i+1:]), and their tangents
    left, dleft = np.ones_like(flat), np.zeros_like(flat)
    right, dright = np.ones_like(flat), np.zeros_like(flat)
    for i in range(1, n):
        left[..., i] = left[..., i - 1] * flat[..., i - 1]
        dleft[..., i] = dleft[..., i - 1] * flat[..., i - 1] + left[..., i - 1] * dflat[..., i - 1]
        j = n - 1 - i
        right[..., j] = right[..., j + 1] * flat[..., j + 1]
        dright[..., j] = (dright[..., j + 1] * flat[..., j + 1]
                          + right[..., j + 1] * dflat[..., j + 1])
    others = np.reshape(dleft * right + left * dright, moved.shape)
    return np.moveaxis(others, dest, axes)


def prod_grad_jvp(dg, dx, g, x, axis=None, keepdims=False):
    """Tangent of :func:`prod_grad` along ``dg`` (of ``g``) and ``dx`` (of ``x``)."""
    t = 0.0 if _is_zero(dg) else prod_grad(dg, x, axis, keepdims)
    if not _is_zero(dx):
        t = t + sum_grad(g, x, axis, keepdims) * _prod_others_jvp(dx, x, axis)
    return t


from srcgrad.runtime_forward import *  # noqa: E402, F403
from srcgrad.runtime_linalg import *  # noqa: E402, F403
from srcgrad.runtime_numpy import *  # noqa: E402, F403
