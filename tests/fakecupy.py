"""A stand-in for cupy, to prove without a GPU that derivative code keeps arrays on the device.

:class:`ndarray` wraps a numpy array and behaves like ``cupy.ndarray`` where
it matters here:

- numpy functions and ufuncs called on it dispatch through
  ``__array_function__`` / ``__array_ufunc__`` and return the same type;
  indexing, in-place writes, operators, methods and attributes work and
  return the same type (a reduction or ``x[0]`` gives a 0-d array, as in
  cupy); ``flags`` has cupy's three fields only (no ``writeable``);
- implicit conversion to numpy is refused: ``np.asarray(x)`` raises
  ``TypeError`` (cupy's ``__array__`` does), and so does mixing it with a
  ``numpy.ndarray`` in a function or operator (cupy's "Unsupported type");
  this is how a creation from a bare shape (``np.zeros(x.shape)``) or a
  copy to the host is caught;
- conversions to Python numbers (``float``, ``int``, ``bool``, ``.item()``,
  ``.tolist()``, ``.get()``) work, as in cupy, but each is a host
  synchronization and is counted in :data:`SYNCS`.

Why count the syncs rather than refuse them: cupy allows them, and user
code needs some (``if np.sum(x) > 0:``, ``while err > tol:``, ``float(x)``).
A test runs the user's function and its derivative and checks that the
derivative code adds no synchronization of its own: at most the function's
own (its forward sweep repeats them), plus one more per branch test (the
reverse sweep tests branches again), plus one per Python-float gradient
handed back.

``module`` is a fake ``cupy`` namespace (``cp.tanh``, ``cp.zeros``,
``cp.linalg.solve``, ``cp.add.at``...) returning the fake type. It is not
installed in ``sys.modules``; :func:`installed` does that for the tests that
need ``import cupy``.
"""

from __future__ import annotations

import collections
import contextlib
import sys
import types

import numpy as np

SYNCS: collections.Counter = collections.Counter()


@contextlib.contextmanager
def count_syncs():
    """Yield a Counter of the host synchronizations made inside the block."""
    before = SYNCS.copy()
    seen = collections.Counter()
    try:
        yield seen
    finally:
        seen.update(SYNCS - before)


def _sync(kind):
    SYNCS[kind] += 1


def _refuse_numpy(values, what):
    for v in values:
        if type(v) is np.ndarray:
            raise TypeError(
                f"fakecupy: unsupported type numpy.ndarray in {what} (cupy does not mix host "
                "and device arrays)")
        if isinstance(v, (list, tuple)):
            _refuse_numpy(v, what)
        elif isinstance(v, dict):
            _refuse_numpy(v.values(), what)


def _unwrap(v):
    if isinstance(v, ndarray):
        return v._a
    if isinstance(v, list):
        return [_unwrap(x) for x in v]
    if type(v) is tuple:
        return tuple(_unwrap(x) for x in v)
    if isinstance(v, slice):
        return slice(_unwrap(v.start), _unwrap(v.stop), _unwrap(v.step))
    return v


def _unwrap_kw(kw):
    return {k: _unwrap(v) for k, v in kw.items()}


def _wrap(v):
    if type(v) is np.ndarray:
        return ndarray(v)
    if isinstance(v, np.generic) and not isinstance(v, (np.str_, np.bytes_)):
        return ndarray(np.asarray(v))  # cupy gives 0-d arrays where numpy gives scalars
    if type(v) is tuple:
        return tuple(_wrap(x) for x in v)
    if isinstance(v, tuple) and hasattr(v, "_fields"):  # namedtuple results (eigh, slogdet)
        return type(v)(*(_wrap(x) for x in v))
    if type(v) is list:
        return [_wrap(x) for x in v]
    return v


# Functions that copy host data to the device: numpy arrays are their input.
_FROM_HOST = frozenset({"array", "asarray", "asanyarray", "ascontiguousarray"})


class _Flags:
    """cupy's flags: no ``writeable`` field."""

    def __init__(self, a):
        self.c_contiguous = a.flags.c_contiguous
        self.f_contiguous = a.flags.f_contiguous
        self.owndata = a.flags.owndata


_HOST = frozenset({"tobytes", "tofile", "dump", "dumps", "__array_interface__",
                   "__array_struct__", "ctypes", "data"})


class ndarray:  # noqa: N801 - spelled like cupy.ndarray
    """A device array stand-in wrapping a numpy array (``_a``)."""

    __slots__ = ("_a",)
    __array_priority__ = 100
    __hash__ = None

    def __init__(self, a):
        if type(a) is not np.ndarray:
            raise TypeError(f"fakecupy.ndarray wraps a numpy array, not {type(a).__name__}")
        self._a = a

    # -- the protocols ------------------------------------------------------
    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            "Implicit conversion to a NumPy array is not allowed. Please use `.get()` to "
            "construct a NumPy array explicitly. (fakecupy)")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        out = kwargs.get("out")
        _refuse_numpy(inputs, f"{ufunc.__name__}.{method}")
        if out is not None:
            _refuse_numpy(out, f"the out= of {ufunc.__name__}")
        res = getattr(ufunc, method)(*_unwrap(inputs), **_unwrap_kw(kwargs))
        if method == "at":
            return None
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _wrap(res)

    def __array_function__(self, func, types_, args, kwargs):
        if func.__name__ not in _FROM_HOST:  # np.asarray(host, like=x) copies to the device
            _refuse_numpy(args, func.__name__)
            _refuse_numpy(kwargs.values(), func.__name__)
        return _wrap(func(*_unwrap(args), **_unwrap_kw(kwargs)))

    # -- attributes ---------------------------------------------------------
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    strides = property(lambda self: self._a.strides)
    flags = property(lambda self: _Flags(self._a))
    T = property(lambda self: ndarray(self._a.T))
    mT = property(lambda self: ndarray(np.swapaxes(self._a, -1, -2)))
    real = property(lambda self: ndarray(self._a.real))
    imag = property(lambda self: ndarray(self._a.imag))
    device = property(lambda self: "fakecupy")

    def __getattr__(self, name):
        # methods (x.sum, x.reshape, x.astype, ...): run on the data, wrap the result
        if name.startswith("_") or name in _HOST:
            raise AttributeError(f"fakecupy.ndarray has no attribute {name!r}")
        attr = getattr(self._a, name)
        if not callable(attr):
            return _wrap(attr)

        def method(*args, **kwargs):
            _refuse_numpy(args, f"ndarray.{name}")
            _refuse_numpy(kwargs.values(), f"ndarray.{name}")
            return _wrap(attr(*_unwrap(args), **_unwrap_kw(kwargs)))

        method.__name__ = name
        return method

    # -- explicit transfers and host synchronizations -----------------------
    def get(self):
        """The data as a numpy array: the explicit device-to-host copy."""
        _sync("get")
        return self._a.copy()

    def item(self, *args):
        _sync("item")
        return self._a.item(*args)

    def tolist(self):
        _sync("tolist")
        return self._a.tolist()

    def __bool__(self):
        _sync("bool")
        return bool(self._a)

    def __float__(self):
        _sync("float")
        return float(self._a)

    def __int__(self):
        _sync("int")
        return int(self._a)

    def __complex__(self):
        _sync("complex")
        return complex(self._a)

    def __index__(self):
        _sync("index")
        return self._a.__index__()

    # -- container behaviour (no synchronization: shapes live on the host) ----
    def __len__(self):
        return len(self._a)

    def __iter__(self):
        for i in range(len(self._a)):
            yield self[i]

    def __getitem__(self, idx):
        return _wrap(self._a[_unwrap(idx)])

    def __setitem__(self, idx, value):
        _refuse_numpy([value], "a write into an array")
        self._a[_unwrap(idx)] = _unwrap(value)

    def scatter_add(self, slices, value):
        """cupy's ``x.scatter_add(idx, v)``: ``np.add.at`` in place."""
        np.add.at(self, slices, value)

    def __copy__(self):
        return ndarray(self._a.copy())

    def __deepcopy__(self, memo):
        return ndarray(self._a.copy())

    def __repr__(self):
        return f"fakecupy.{self._a!r}"


def _binop(ufunc):
    def op(self, other):
        return ufunc(self, other)

    def rop(self, other):
        return ufunc(other, self)

    def iop(self, other):
        return ufunc(self, other, out=(self,))

    return op, rop, iop


for _name, _uf in [("add", np.add), ("sub", np.subtract), ("mul", np.multiply),
                   ("truediv", np.true_divide), ("floordiv", np.floor_divide),
                   ("mod", np.remainder), ("pow", np.power), ("matmul", np.matmul),
                   ("and", np.bitwise_and), ("or", np.bitwise_or), ("xor", np.bitwise_xor)]:
    _op, _rop, _iop = _binop(_uf)
    setattr(ndarray, f"__{_name}__", _op)
    setattr(ndarray, f"__r{_name}__", _rop)
    setattr(ndarray, f"__i{_name}__", _iop)
for _name, _uf in [("lt", np.less), ("le", np.less_equal), ("gt", np.greater),
                   ("ge", np.greater_equal), ("eq", np.equal), ("ne", np.not_equal)]:
    setattr(ndarray, f"__{_name}__", _binop(_uf)[0])
for _name, _uf in [("neg", np.negative), ("pos", np.positive), ("abs", np.absolute),
                   ("invert", np.invert)]:
    setattr(ndarray, f"__{_name}__", lambda self, _uf=_uf: _uf(self))


# -- the fake ``cupy`` namespace ----------------------------------------------


class _Ufunc:
    """``cp.add`` and friends: call, ``.at``, ``.outer``, ``.reduce``, ..."""

    def __init__(self, uf):
        self._uf = uf
        self.__name__ = uf.__name__
        self.nin, self.nout = uf.nin, uf.nout

    def __call__(self, *args, **kwargs):
        _refuse_numpy(args, self.__name__)
        return _wrap(self._uf(*args, **kwargs))

    def __getattr__(self, method):
        if method not in ("at", "outer", "reduce", "accumulate", "reduceat"):
            raise AttributeError(method)

        def call(*args, **kwargs):
            _refuse_numpy(args, f"{self.__name__}.{method}")
            return _wrap(getattr(self._uf, method)(*args, **kwargs))

        return call


class _Module(types.ModuleType):
    """A module whose attributes are numpy's, wrapped to take and give fake arrays."""

    def __init__(self, name, np_module):
        super().__init__(name)
        self._np = np_module

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        if name in ("linalg", "fft"):
            value = _Module(f"{self.__name__}.{name}", getattr(self._np, name))
        else:
            value = self._wrapped(name, getattr(self._np, name))
        setattr(self, name, value)  # one object per name: cp.tanh is cp.tanh
        return value

    def _wrapped(self, name, obj):
        if isinstance(obj, np.ufunc):
            return _Ufunc(obj)
        if isinstance(obj, type) or not callable(obj):
            return obj  # dtypes (cp.float32 is np.float32), constants (cp.pi)
        from_host = name in _FROM_HOST

        def function(*args, **kwargs):
            if not from_host:
                _refuse_numpy(args, f"cupy.{name}")
                _refuse_numpy(kwargs.values(), f"cupy.{name}")
            res = obj(*_unwrap(args), **_unwrap_kw(kwargs))
            if from_host and type(res) is np.ndarray:
                res = res.copy()  # a copy to the device, never a view of host memory
            return _wrap(res)

        function.__name__ = name
        function.__qualname__ = name
        function.__module__ = self.__name__
        return function


module = _Module("cupy", np)
module.ndarray = ndarray


def _asnumpy(a):
    return a.get() if isinstance(a, ndarray) else np.asarray(a)


module.asnumpy = _asnumpy
module.get_array_module = lambda *args: (
    module if any(isinstance(a, ndarray) for a in args) else np)


def asarray(a):
    """A numpy array (or a nested list/tuple of them) on the fake device."""
    if isinstance(a, np.ndarray):
        return ndarray(a.copy())
    if isinstance(a, (list, tuple)):
        return type(a)(asarray(v) for v in a)
    return a


def asnumpy(a):
    """Back to numpy (counted as a ``get``), recursively through lists and tuples."""
    if isinstance(a, ndarray):
        return a.get()
    if isinstance(a, (list, tuple)):
        return type(a)(asnumpy(v) for v in a)
    return a


@contextlib.contextmanager
def installed():
    """``import cupy`` gives the fake module inside the block."""
    saved = {k: sys.modules.get(k) for k in ("cupy", "cupy.linalg")}
    sys.modules["cupy"] = module
    sys.modules["cupy.linalg"] = module.linalg
    try:
        yield module
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v
