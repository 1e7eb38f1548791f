"""Forward mode and higher derivatives: ``jvp``, ``hvp``, ``hessian``, ``jacobian``.

Second derivatives differentiate generated code: the reverse-mode module of
``f`` (``f_vjp``) is itself a Python function with source, so forward mode
applied to it gives Hessian-vector products (forward over reverse).  Its
source is readable like any other generated module (``source(grad(f))``).
"""

import functools

import numpy as np

from srcgrad import api, runtime
from srcgrad.errors import SrcgradError
from srcgrad.hooks import without_hooks


def _tangent_for(t, x, pname, fname):
    """Check a tangent against its primal and give it the primal's type."""
    if isinstance(x, (list, tuple)):
        if not isinstance(t, (list, tuple)) or len(t) != len(x):
            raise SrcgradError(f"{fname}(): the tangent of {pname} must be a list like it")
        return type(x)(_tangent_for(ti, xi, pname, fname) for ti, xi in zip(t, x))
    if type(x) in (float, int):
        if np.ndim(t) != 0:
            raise SrcgradError(f"{fname}(): the tangent of {pname} must be a scalar, "
                               f"not shape {np.shape(t)}")
        return float(t)
    xs, ts = runtime.shape(x), np.shape(t)
    if ts != xs:
        raise SrcgradError(f"{fname}(): the tangent of {pname} has shape {ts}; "
                           f"{pname} has shape {xs}")
    dtype = getattr(x, "dtype", None)
    if dtype is not None and dtype.kind not in "fc":
        raise SrcgradError(f"{fname}(): {pname} has dtype {dtype}; "
                           "only floating-point arguments have tangents")
    if isinstance(x, np.ndarray):
        return np.array(t, dtype=dtype)
    return t.astype(dtype) if hasattr(t, "astype") else t


def _like(t, value):
    """The output tangent with the output's type (a tuple for a tuple output)."""
    if isinstance(value, tuple):
        return tuple(_like(ti, vi) for ti, vi in zip(t, value))
    if isinstance(value, list):
        return [_like(ti, vi) for ti, vi in zip(t, value)]
    if isinstance(value, (bool, int)) or getattr(getattr(value, "dtype", None), "kind",
                                                 "f") not in "fc":
        return runtime.zeros_like(value)
    return runtime.to_float(t, value)


def _fresh(fn, values):
    if getattr(fn, "mutates_arguments", False):
        return [runtime.snapshot(v) for v in values]
    return list(values)


def jvp(f, primals, tangents, rules=None):
    """Evaluate ``f(*primals)`` and its Jacobian-vector product along ``tangents``.

    Returns ``(out, out_tangent)``.  ``tangents`` has one entry per primal,
    shaped like it; ``None`` holds that argument fixed.  ``out_tangent`` is
    shaped like ``out`` (a tuple for a tuple output).  ``rules``: a rule set
    with your own tangents (see ``srcgrad.tangent``); by default the library's
    rules and those registered with the decorators.
    """
    api._check_function(f)
    sig, params = api._positional_params(f)
    primals, tangents = tuple(primals), tuple(tangents)
    if len(tangents) != len(primals):
        raise SrcgradError(f"jvp(): {len(primals)} primals but {len(tangents)} tangents; "
                           "give one tangent per primal (None for none)")
    args = list(api._call_args(sig, f, primals, {})[0])
    wrt, tans = [], []
    for i, t in enumerate(tangents):
        if t is None:
            continue
        wrt.append(params[i])
        tans.append(_tangent_for(t, args[i], params[i], "jvp"))
    if not wrt:
        out = without_hooks(f)(*args)
        return out, _like(runtime.zeros_like(out), out)
    fn = api.compiled(f, wrt, api._arg_kinds(params, args), rules, mode="forward")
    value, tangent = fn(*_fresh(fn, args), *_fresh(fn, tans))
    return value, _like(tangent, value)


# -- forward over reverse -------------------------------------------------------------
def _vjp_function(f, names, kinds):
    fn = api.compiled(f, names, kinds)
    if hasattr(fn, "refresh_globals"):  # forward mode over it reads its module's globals
        fn.refresh_globals()
    return getattr(fn, "__wrapped__", fn)


def _hvp_call(f, names, args, vs):
    """(value, gradients, Hessian-vector products) at ``args`` along ``vs``."""
    params = api._positional_params(f)[1]
    kinds = api._arg_kinds(params, args)
    inner = _vjp_function(f, names, kinds)
    inner_params = api._positional_params(inner)[1]
    outer = api.compiled(inner, names, api._arg_kinds(inner_params, args + [1.0]),
                         mode="forward")
    (value, grads), (_, dgrads) = outer(*_fresh(outer, args), 1.0, *_fresh(outer, vs))
    if len(names) == 1:
        grads, dgrads = (grads,), (dgrads,)
    return value, grads, dgrads


def hvp(f, wrt=0):
    """Return ``hvp_f(*args, v)``: the Hessian of scalar ``f`` times ``v``.

    ``v`` is shaped like the ``wrt`` argument (a tuple of them for a tuple
    ``wrt``).  Computed forward over reverse: one pass, no Hessian formed.
    """
    sig, params, names, single = api._prepare(f, wrt)
    api.compiled(f, names)

    @functools.wraps(f)
    def hvp_f(*args):
        if not args:
            raise TypeError("hvp_f() needs f's arguments followed by v")
        *fargs, v = args
        fargs = list(api._call_args(sig, f, tuple(fargs), {})[0])
        vs = (v,) if single else tuple(v)
        if len(vs) != len(names):
            raise SrcgradError(f"hvp: v must hold {len(names)} tangents, one per wrt")
        vs = [_tangent_for(t, fargs[params.index(n)], n, "hvp") for t, n in zip(vs, names)]
        _, _, dgrads = _hvp_call(f, names, fargs, vs)
        out = tuple(runtime.to_float(d, fargs[params.index(n)]) for d, n in zip(dgrads, names))
        return out[0] if single else out

    hvp_f.__srcgrad_source__ = (f, names)
    return hvp_f


def _basis(x):
    """Unit tangents along each element of ``x``, in C order."""
    if type(x) in (float, int):
        yield 1.0
        return
    x = np.asarray(x) if isinstance(x, (np.generic,)) else x
    for k in range(x.size):
        e = np.zeros_like(x, dtype=np.result_type(x.dtype, np.float32))
        e.reshape(-1)[k] = 1
        yield e


def _assemble(columns, out_like, x):
    """Stack per-element results into an array of shape out.shape + x.shape."""
    oshape, xshape = runtime.shape(out_like), runtime.shape(x)
    if type(x) in (float, int) and type(out_like) in (float, int):
        return float(columns[0])
    cols = [np.asarray(c).reshape(oshape) for c in columns]
    j = np.stack(cols, axis=-1) if cols else np.zeros(oshape + (0,))
    return j.reshape(oshape + xshape)


def hessian(f, wrt=0):
    """Return a function computing the Hessian of scalar ``f``.

    For one ``wrt`` argument of shape ``s`` the Hessian has shape ``s + s``;
    for a tuple ``wrt`` it is a nested tuple, block ``[i][j]`` of shape
    ``s_i + s_j``.  One Hessian-vector product per element of the ``wrt``
    arguments.
    """
    sig, params, names, single = api._prepare(f, wrt)
    api.compiled(f, names)

    @functools.wraps(f)
    def hessian_f(*args, **kwargs):
        fargs = list(api._call_args(sig, f, args, kwargs)[0])
        xs = [fargs[params.index(n)] for n in names]
        blocks = [[None] * len(names) for _ in names]
        for j, xj in enumerate(xs):
            cols = [[] for _ in names]
            for e in _basis(xj):
                vs = [e if k == j else runtime.zeros_like(_float_like(xk))
                      for k, xk in enumerate(xs)]
                _, _, dgrads = _hvp_call(f, names, fargs, vs)
                for i in range(len(names)):
                    cols[i].append(dgrads[i])
            for i, xi in enumerate(xs):
                blocks[i][j] = _assemble(cols[i], xi, xj)
        if single:
            return blocks[0][0]
        return tuple(tuple(row) for row in blocks)

    hessian_f.__srcgrad_source__ = (f, names)
    return hessian_f


def _float_like(x):
    if type(x) in (float, int):
        return 0.0
    return x


def jacobian(f, wrt=0, mode="reverse"):
    """Return a function computing the Jacobian of ``f`` (array or scalar output).

    For an output of shape ``o`` and a ``wrt`` argument of shape ``s`` the
    Jacobian has shape ``o + s`` (a tuple of them for a tuple ``wrt``).  A
    function returning a tuple gets a tuple with one such result per output.
    ``mode="reverse"`` runs one vector-Jacobian product per output element,
    ``mode="forward"`` one Jacobian-vector product per input element: pick
    the smaller side.
    """
    if mode not in ("reverse", "forward"):
        raise SrcgradError(f"jacobian: mode must be 'reverse' or 'forward', not {mode!r}")
    sig, params, names, single = api._prepare(f, wrt)
    api.compiled(f, names, mode=mode)

    @functools.wraps(f)
    def jacobian_f(*args, **kwargs):
        fargs = list(api._call_args(sig, f, args, kwargs)[0])
        xs = [fargs[params.index(n)] for n in names]
        if mode == "reverse":
            out, pullback = api.vjp(f, *fargs, wrt=tuple(names))
            outs, is_tuple = _outputs(f, out)
            blocks = []
            for k, o in enumerate(outs):
                rows = [[] for _ in names]
                for e in _basis(_float_like(o) if type(o) is not float else 0.0):
                    dout = tuple(e if j == k else _zero(p) for j, p in enumerate(outs)) \
                        if is_tuple else e
                    for i, g in enumerate(pullback(dout)):
                        rows[i].append(g)
                block = []
                for i, x in enumerate(xs):
                    if type(o) in (float, int) and type(x) in (float, int):
                        block.append(float(rows[i][0]))
                        continue
                    r = [np.asarray(g).reshape(-1) for g in rows[i]]
                    jac = np.stack(r, axis=0) if r else np.zeros((0, np.size(x)))
                    block.append(jac.reshape(runtime.shape(o) + runtime.shape(x)))
                blocks.append(block)
        else:
            columns = [[] for _ in xs]  # columns[i]: the tangents of the outputs along x_i
            out = None
            for i, x in enumerate(xs):
                for e in _basis(x):
                    tangents = [None] * len(fargs)
                    tangents[params.index(names[i])] = e
                    out, t = jvp(f, fargs, tangents)
                    columns[i].append(t)
            if out is None:
                out = f(*fargs)
            outs, is_tuple = _outputs(f, out)
            blocks = [[_assemble([t[k] if is_tuple else t for t in columns[i]], o, x)
                       for i, x in enumerate(xs)] for k, o in enumerate(outs)]
        # blocks[k][i]: output k's Jacobian in wrt argument i
        nested = [b[0] if single else tuple(b) for b in blocks]
        return tuple(nested) if is_tuple else nested[0]

    return jacobian_f


def _outputs(f, out):
    """The outputs of ``f``, and whether it returned a tuple of them."""
    if isinstance(out, tuple):
        for o in out:
            _check_output(f, o)
        return list(out), True
    _check_output(f, out)
    return [out], False


def _zero(out):
    """A zero cotangent for the output ``out``."""
    if type(out) in (float, int):
        return 0.0
    return np.zeros_like(_float_like(out), dtype=np.result_type(out.dtype, np.float32))


def _check_output(f, out):
    if isinstance(out, (tuple, list)):
        raise SrcgradError(f"jacobian needs {f.__qualname__} to return arrays or scalars, "
                           "or a tuple of them; not a nested tuple or a list")


# -- grad of grad ------------------------------------------------------------------
def grad_of_grad(g, wrt=0):
    """``grad(grad(f, wrt=i), wrt=j)``: second derivatives of ``f`` (forward over reverse)."""
    f, inner_names, inner_single = g.__srcgrad_grad__
    sig, params, outer_names, outer_single = api._prepare(f, wrt)
    if not inner_single:
        raise SrcgradError("grad of a gradient needs the inner grad to have one wrt "
                           "argument; use srcgrad.hessian for several")
    api.compiled(f, inner_names)

    @functools.wraps(f)
    def grad2(*args, **kwargs):
        fargs = list(api._call_args(sig, f, args, kwargs)[0])
        x = fargs[params.index(inner_names[0])]
        if runtime.shape(x) != ():
            raise SrcgradError(
                f"grad(grad(f)) needs the gradient to be a scalar, but {inner_names[0]} has "
                f"shape {runtime.shape(x)}; use srcgrad.hessian or srcgrad.hvp")
        names = list(dict.fromkeys(inner_names + outer_names))
        out = []
        for n in outer_names:
            xj = fargs[params.index(n)]
            cols = []
            for e in _basis(xj):
                vs = [e if m == n else runtime.zeros_like(_float_like(fargs[params.index(m)]))
                      for m in names]
                _, _, dgrads = _hvp_call(f, names, fargs, vs)
                cols.append(dgrads[0])
            out.append(_assemble(cols, x, xj) if type(xj) not in (float, int)
                       else float(cols[0]))
        return out[0] if outer_single else tuple(out)

    grad2.__srcgrad_source__ = (f, inner_names)
    return grad2


def source_of_grad(g):
    """The generated module behind ``grad(grad(f))``, ``hvp`` and ``hessian``: forward
    mode over ``f_vjp``."""
    f, names = g.__srcgrad_source__ if hasattr(g, "__srcgrad_source__") else \
        g.__srcgrad_grad__[:2]
    inner = _vjp_function(f, names, ((), ()))
    return api.generate(inner, names, mode="forward").text
