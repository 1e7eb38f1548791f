"""Example inputs for the rules in ``numpy_more_rules`` and ``linalg_rules``.

``test_rules_registry`` merges ``cases(A, F)`` into its table; the helpers
``A`` (a random float64 array) and ``F`` (a random Python float) are its own.
"""

from __future__ import annotations

import numpy as np

POS = (0.5, 2.0)


def cases(A, F, binary, unary):
    C: dict[str, list[dict]] = {}

    def spd(*batch, n=3):
        m = A(*batch, n, n)
        return m @ np.swapaxes(m, -1, -2) + 3 * np.eye(n)

    def wellcond(*batch, n=3):
        return A(*batch, n, n) * 0.5 + 2 * np.eye(n)

    # -- elementwise
    C["numpy.ldexp"] = [
        dict(x1=A(3), x2=np.array([1, -2, 3])),
        dict(x1=A(2, 3), x2=2),
        dict(x1=A(3, 1), x2=np.array([0, 1])),
    ]
    C["numpy.heaviside"] = binary() + [
        dict(x1=np.array([0.0, 0.5, -1.0, 0.0]), x2=A(4), _wrt=("x2",)),
        dict(x1=np.array([[0.0], [2.0]]), x2=F(), _wrt=("x2",)),
    ]
    C["numpy.modf"] = [dict(x=A(5, lo=-3, hi=3)), dict(x=F(0.1, 0.9))]
    C["numpy.frexp"] = [dict(x=A(5, lo=0.6, hi=0.9)), dict(x=A(2, 3, lo=-3.5, hi=-2.5))]
    C["numpy.divmod"] = binary(d1=(0.1, 0.9), d2=(1.1, 1.9))
    C["numpy.conjugate"] = unary("conjugate")
    C["numpy.real"] = [dict(val=A(3)), dict(val=A(2, 3))]
    C["numpy.nan_to_num"] = [dict(x=A(3)), dict(x=A(2, 3))]
    C["numpy.vecdot"] = [
        dict(x1=A(3), x2=A(3)),
        dict(x1=A(2, 3), x2=A(3)),
        dict(x1=A(4, 1, 3), x2=A(2, 3)),
    ]
    C["numpy.matvec"] = [
        dict(x1=A(2, 3), x2=A(3)),
        dict(x1=A(4, 2, 3), x2=A(3)),
        dict(x1=A(2, 3), x2=A(4, 3)),
    ]
    C["numpy.vecmat"] = [
        dict(x1=A(2), x2=A(2, 3)),
        dict(x1=A(4, 2), x2=A(2, 3)),
        dict(x1=A(2), x2=A(4, 2, 3)),
    ]
    C["numpy.linalg.vecdot"] = [
        dict(x1=A(2, 3), x2=A(2, 3)),
        dict(x1=A(3, 2), x2=A(3, 1), axis=0),
        dict(x1=A(4, 3), x2=A(3)),
        dict(x1=A(3), x2=A(3)),  # a 0-d result: a Python-float cotangent
    ]

    # -- constructors
    C["numpy.full"] = [
        dict(shape=(2, 3), fill_value=F()),
        dict(shape=3, fill_value=A(3)),
        dict(shape=(2, 3), fill_value=A(2, 1)),
    ]
    C["numpy.full_like"] = [dict(a=A(2, 3), fill_value=F()), dict(a=A(2, 3), fill_value=A(3))]
    C["numpy.linspace"] = [
        dict(start=F(), stop=F(1, 2)),
        dict(start=F(), stop=F(1, 2), num=5, endpoint=False),
        dict(start=A(3), stop=F(1, 2), num=4),
        dict(start=A(2), stop=A(2), num=3, axis=-1),
        dict(start=F(), stop=F(), num=1),
    ]

    # -- reductions
    C["numpy.average"] = [
        dict(a=A(2, 3)),
        dict(a=A(2, 3), axis=1),
        dict(a=A(2, 3, 4), axis=(0, -1), keepdims=True),
        dict(a=A(2, 3), weights=A(2, 3, lo=0.5, hi=1.5)),
        dict(a=A(2, 3), axis=1, weights=A(3, lo=0.5, hi=1.5)),
        dict(a=A(2, 3), axis=-2, weights=A(2, lo=0.5, hi=1.5), keepdims=True),
        dict(a=A(4), weights=A(4, lo=0.5, hi=1.5)),
    ]
    for name, a in (("numpy.cumprod", "a"), ("numpy.ndarray.cumprod", "self")):
        z = A(2, 4, lo=0.5, hi=1.5)
        z[1, 1] = 0.0
        C[name] = [
            {a: A(5, lo=0.5, hi=1.5)},
            {a: A(2, 3, lo=-1.5, hi=1.5), "axis": 1},
            {a: A(3, 2), "axis": -2},
            {a: A(2, 3)},
            {a: z, "axis": 1},
        ]
    C["numpy.ptp"] = [
        dict(a=A(5)),
        dict(a=A(3, 4), axis=0),
        dict(a=A(3, 4), axis=-1, keepdims=True),
    ]

    def with_nan(*shape):
        x = A(*shape, lo=0.5, hi=1.5)
        x.flat[1] = np.nan
        return x

    for name in ("nansum", "nanmean", "nanmax", "nanmin", "nanprod"):
        C[f"numpy.{name}"] = [
            dict(a=with_nan(2, 3)),
            dict(a=with_nan(2, 3), axis=1),
            dict(a=with_nan(3, 4), axis=(0, 1), keepdims=True),
            dict(a=A(2, 3, lo=0.5, hi=1.5), axis=-2),
        ]
    for name in ("nanvar", "nanstd"):
        C[f"numpy.{name}"] = [
            dict(a=with_nan(2, 4)),
            dict(a=with_nan(2, 4), axis=1, ddof=1),
            dict(a=with_nan(3, 4), axis=0, keepdims=True),
        ]
    C["numpy.nancumsum"] = [dict(a=with_nan(2, 3)), dict(a=with_nan(2, 3), axis=1)]
    C["numpy.median"] = [
        dict(a=A(5)),
        dict(a=A(4)),
        dict(a=A(3, 4), axis=1),
        dict(a=A(3, 4), axis=0, keepdims=True),
        dict(a=A(2, 3, 4), axis=(0, 2)),
    ]

    # -- shapes
    C["numpy.column_stack"] = [dict(tup=[A(3), A(3, 2)]), dict(tup=[A(2), A(2)])]
    C["numpy.dstack"] = [dict(tup=[A(3), A(3)]), dict(tup=[A(2, 3), A(2, 3, 2)])]
    C["numpy.split"] = [
        dict(ary=A(6), indices_or_sections=3),
        dict(ary=A(2, 5), indices_or_sections=[1, 3], axis=1),
    ]
    C["numpy.array_split"] = [
        dict(ary=A(7), indices_or_sections=3),
        dict(ary=A(5, 2), indices_or_sections=2, axis=0),
    ]
    C["numpy.hsplit"] = [
        dict(ary=A(2, 4), indices_or_sections=2),
        dict(ary=A(6), indices_or_sections=[2]),
    ]
    C["numpy.vsplit"] = [
        dict(ary=A(4, 2), indices_or_sections=2),
        dict(ary=A(3, 2, 2), indices_or_sections=[1]),
    ]
    C["numpy.dsplit"] = [
        dict(ary=A(2, 2, 4), indices_or_sections=[1]),
        dict(ary=A(1, 3, 4), indices_or_sections=2),
    ]
    C["numpy.unstack"] = [dict(x=A(3, 2)), dict(x=A(2, 3), axis=1)]
    C["numpy.atleast_1d"] = [dict(arys=(F(),)), dict(arys=(A(3),)), dict(arys=(F(), A(2, 2)))]
    C["numpy.atleast_2d"] = [dict(arys=(A(3),)), dict(arys=(F(), A(2, 2), A(2)))]
    C["numpy.atleast_3d"] = [dict(arys=(A(3),)), dict(arys=(A(2, 3), A(2, 2, 2)))]
    C["numpy.broadcast_arrays"] = [dict(args=(A(3, 1), A(4))), dict(args=(A(2, 3), F()))]
    C["numpy.pad"] = [
        dict(array=A(3), pad_width=2),
        dict(array=A(2, 3), pad_width=((1, 0), (2, 1)), constant_values=F()),
        dict(array=A(4), pad_width=(2, 3), mode="reflect"),
        dict(array=A(2, 3), pad_width=1, mode="edge"),
        dict(array=A(3), pad_width=(4, 2), mode="wrap"),
        dict(array=A(3, 2), pad_width=((2, 1), (1, 1)), mode="symmetric"),
    ]
    C["numpy.diagonal"] = [
        dict(a=A(3, 3)),
        dict(a=A(3, 4), offset=1),
        dict(a=A(2, 3, 4), offset=-1, axis1=1, axis2=2),
        dict(a=A(3, 2, 3), axis1=-1, axis2=0),
    ]
    C["numpy.linalg.diagonal"] = [dict(x=A(3, 3)), dict(x=A(2, 3, 4), offset=1)]
    C["numpy.diagflat"] = [dict(v=A(3)), dict(v=A(2, 2), k=-1)]
    C["numpy.linalg.trace"] = [dict(x=A(3, 3)), dict(x=A(2, 3, 4), offset=-1)]
    C["numpy.rot90"] = [dict(m=A(2, 3)), dict(m=A(2, 3, 4), k=3, axes=(2, 0))]
    C["numpy.fliplr"] = [dict(m=A(2, 3))]
    C["numpy.flipud"] = [dict(m=A(2, 3)), dict(m=A(3))]
    C["numpy.matrix_transpose"] = [dict(x=A(2, 3)), dict(x=A(4, 2, 3))]
    C["numpy.append"] = [
        dict(arr=A(3), values=A(2)),
        dict(arr=A(2, 3), values=A(2, 2), axis=1),
        dict(arr=A(2, 2), values=F()),
    ]

    # -- products
    C["numpy.vdot"] = [dict(a=A(3), b=A(3)), dict(a=A(2, 3), b=A(6)), dict(a=A(2, 2), b=A(2, 2))]
    C["numpy.inner"] = [
        dict(a=A(3), b=A(3)),
        dict(a=A(2, 3), b=A(3)),
        dict(a=A(3), b=A(4, 3)),
        dict(a=A(2, 3), b=A(4, 5, 3)),
        dict(a=F(), b=A(2, 3)),
    ]
    C["numpy.tensordot"] = [
        dict(a=A(2, 3, 4), b=A(3, 4, 5)),
        dict(a=A(2, 3), b=A(3, 4), axes=1),
        dict(a=A(2, 3, 4), b=A(4, 2, 5), axes=([0, 2], [1, 0])),
        dict(a=A(3, 2), b=A(3, 4), axes=(0, 0)),
        dict(a=A(2, 3), b=A(4), axes=0),
        dict(a=A(2, 3), b=A(2, 3)),  # a 0-d result
    ]
    C["numpy.kron"] = [dict(a=A(2, 3), b=A(3, 2)), dict(a=A(3), b=A(2)), dict(a=A(2), b=A(2, 3))]
    C["numpy.cross"] = [
        dict(a=A(3), b=A(3)),
        dict(a=A(4, 3), b=A(3)),
        dict(a=A(2), b=A(2)),
        dict(a=A(4, 2), b=A(4, 3)),
        dict(a=A(3, 4), b=A(3, 4), axisa=0, axisb=0, axisc=0),
        dict(a=A(2, 3, 2), b=A(2, 3, 2), axis=1),
    ]
    C["numpy.linalg.cross"] = [
        dict(x1=A(3), x2=A(3)),
        dict(x1=A(3, 4), x2=A(3, 4), axis=0),
        dict(x1=A(2, 3), x2=A(3)),
    ]

    # -- indexing
    C["numpy.take"] = [
        dict(a=A(5), indices=np.array([0, 3, 3, 1])),
        dict(a=A(3, 4), indices=[[0, 2], [2, 2]], axis=1),
        dict(a=A(3, 4), indices=np.array([1, 1, 0]), axis=0),
        dict(a=A(2, 3), indices=5),
        dict(a=A(4), indices=np.array([5, -1]), mode="wrap"),
        dict(a=A(4), indices=np.array([7, -3]), mode="clip"),
    ]
    C["numpy.bincount"] = [
        dict(x=np.array([0, 2, 2, 5]), weights=A(4)),
        dict(x=np.array([1, 1, 0]), weights=A(3), minlength=4),
    ]
    C["numpy.take_along_axis"] = [
        dict(arr=A(3, 4), indices=np.array([[0, 3], [1, 1], [2, 0]]), axis=1),
        dict(arr=A(3, 4), indices=np.array([[2, 0, 0, 1]]), axis=0),
        dict(arr=A(5), indices=np.array([4, 4, 0]), axis=0),
        dict(arr=A(1, 4), indices=np.array([[1], [3], [3]]), axis=1),
    ]
    C["numpy.select"] = [
        dict(condlist=[A(4) > 0.3, A(4) > -0.2], choicelist=[A(4), A(4)]),
        dict(condlist=[A(2, 3) > 0], choicelist=[A(3)], default=A(2, 1)),
        dict(condlist=[A(3) > 0, A(3) < 0.5], choicelist=[F(), A(3)], default=F()),
    ]

    # -- signals
    for name, modes in (
        ("convolve", ("full", "same", "valid")),
        ("correlate", ("valid", "same", "full")),
    ):
        C[f"numpy.{name}"] = [dict(a=A(5), v=A(3), mode=m) for m in modes] + [
            dict(a=A(4), v=A(4)),
            dict(a=A(2), v=A(4), mode="full"),
            dict(a=A(3), v=A(6), mode="same"),
            dict(a=A(3), v=A(5), mode="valid"),
        ]
    xp = np.sort(A(5, lo=-1, hi=1)) + np.arange(5) * 0.3
    C["numpy.interp"] = [
        dict(x=np.linspace(xp[0] + 0.01, xp[-1] - 0.01, 7) + A(7, lo=0, hi=0.005), xp=xp, fp=A(5)),
        dict(x=np.array([xp[0] - 0.5, 0.5 * (xp[1] + xp[2]), xp[-1] + 0.3]), xp=xp, fp=A(5)),
        dict(
            x=np.array([xp[0] - 0.5, 0.5 * (xp[2] + xp[3]), xp[-1] + 0.3]),
            xp=xp,
            fp=A(5),
            left=F(),
            right=F(),
        ),
        dict(x=F(xp[1] + 0.01, xp[2] - 0.01), xp=xp, fp=A(5)),
    ]
    C["numpy.ediff1d"] = [
        dict(ary=A(5)),
        dict(ary=A(2, 3), to_begin=np.array([0.5]), to_end=[1.0, 2.0]),
    ]

    # -- methods
    C["numpy.ndarray.take"] = [
        {"self": A(5), "indices": np.array([0, 3, 3])},
        {"self": A(3, 4), "indices": [2, 0], "axis": 1},
        {"self": A(4), "indices": 2},  # a 0-d result
    ]
    C["numpy.ndarray.diagonal"] = [
        {"self": A(3, 3)},
        {"self": A(2, 3, 4), "offset": 1, "axis1": 2, "axis2": 1},
    ]
    C["numpy.ndarray.trace"] = [{"self": A(3, 3)}, {"self": A(3, 4), "offset": -1}]
    C["numpy.ndarray.repeat"] = [
        {"self": A(3), "repeats": 2},
        {"self": A(2, 3), "repeats": [1, 0, 2], "axis": 1},
    ]
    C["numpy.ndarray.conjugate"] = [{"self": A(3)}]
    C["numpy.ndarray.conj"] = [{"self": A(2, 2)}]
    C["numpy.ndarray.item"] = [
        {"self": A(1)},
        {"self": A(2, 3), "args": (4,)},
        {"self": A(2, 3), "args": (1, 2)},
    ]

    # -- selections
    C["numpy.rollaxis"] = [
        dict(a=A(2, 3, 4), axis=2),
        dict(a=A(2, 3, 4), axis=0, start=3),
        dict(a=A(2, 3, 4), axis=-1, start=1),
    ]
    C["numpy.resize"] = [dict(a=A(3), new_shape=(2, 4)), dict(a=A(2, 3), new_shape=4)]
    C["numpy.compress"] = [
        dict(condition=[True, False, True], a=A(3, 2), axis=0),
        dict(condition=np.array([0, 1, 1, 0, 1]), a=A(2, 3)),
    ]
    C["numpy.extract"] = [
        dict(condition=A(2, 3) > 0, arr=A(2, 3)),
        dict(condition=np.array([1, 0, 1, 1]), arr=A(4)),
    ]
    C["numpy.delete"] = [
        dict(arr=A(5), obj=[0, 3]),
        dict(arr=A(3, 4), obj=1, axis=1),
        dict(arr=A(2, 3), obj=slice(0, 4, 2)),
    ]
    C["numpy.choose"] = [
        dict(a=np.array([0, 2, 1, 0]), choices=[A(4), A(4), A(4)]),
        dict(a=np.array([[0], [1]]), choices=[A(3), F()]),
        dict(a=np.array([0, 5, -1]), choices=[A(3), A(3)], mode="wrap"),
        dict(a=1, choices=[F(), F()]),  # a 0-d result
    ]
    C["numpy.ndarray.compress"] = [
        {"self": A(3, 2), "condition": [True, False, True], "axis": 0},
        {"self": A(2, 2), "condition": [False, True, True]},
    ]
    C["numpy.ndarray.choose"] = [
        {"self": np.array([1, 0, 1]), "choices": [A(3), A(3)]},
        {"self": np.array([[0, 1, 1], [1, 0, 0]]), "choices": [A(2, 3), A(2, 3)]},
    ]
    z = A(2, 4, lo=0.5, hi=1.5)
    z[0, 2] = 0.0
    for name in ("cumulative_sum", "cumulative_prod"):
        C[f"numpy.{name}"] = [
            dict(x=A(5)),
            dict(x=A(2, 3), axis=1),
            dict(x=A(2, 3), axis=0, include_initial=True),
            dict(x=z.copy(), axis=-1),
        ]
    C["numpy.polyval"] = [dict(p=A(3), x=A(4)), dict(p=A(4), x=F()), dict(p=A(1), x=A(2))]
    C["numpy.vander"] = [dict(x=A(3)), dict(x=A(4), N=2, increasing=True), dict(x=A(2), N=4)]
    C["numpy.cov"] = [
        dict(m=A(3, 5)),
        dict(m=A(5, 2), rowvar=False),
        dict(m=A(6), bias=True),
        dict(m=A(2, 4), ddof=0),
    ]
    for name, s in (("quantile", 1.0), ("percentile", 100.0)):
        C[f"numpy.{name}"] = [
            dict(a=A(7), q=0.3 * s),
            dict(a=A(6), q=np.array([0.23, 0.62]) * s),  # (n - 1) q not an integer: no kink
            dict(a=A(3, 5), q=0.7 * s, axis=1),
            dict(a=A(3, 5), q=np.array([0.1, 0.9]) * s, axis=0, keepdims=True),
            dict(a=A(2, 3, 4), q=0.45 * s, axis=(0, 2)),
            dict(a=A(5), q=[0.15 * s, 0.6 * s], _wrt=("a",)),  # q a list of constants
        ]

    # -- linalg
    C["numpy.linalg.solve"] = [
        dict(a=wellcond(), b=A(3)),
        dict(a=wellcond(), b=A(3, 2)),
        dict(a=wellcond(4), b=A(4, 3, 2)),
        dict(a=wellcond(4), b=A(3)),
        dict(a=wellcond(), b=A(4, 3, 2)),
    ]
    C["numpy.linalg.inv"] = [dict(a=wellcond()), dict(a=wellcond(2, n=2))]
    C["numpy.linalg.det"] = [dict(a=wellcond()), dict(a=wellcond(2)), dict(a=-wellcond(n=2))]
    C["numpy.linalg.slogdet"] = [dict(a=wellcond()), dict(a=-wellcond(2, n=3))]
    C["numpy.linalg.matrix_power"] = [
        dict(a=wellcond(), n=3),
        dict(a=wellcond(2), n=-2),
        dict(a=wellcond(), n=1),
        dict(a=wellcond(), n=0),
    ]
    C["numpy.linalg.cholesky"] = [
        dict(a=spd()),
        dict(a=spd(2, n=4)),
        dict(a=A(3, 3) + 4 * np.eye(3)),
    ]
    C["numpy.linalg.eigh"] = [
        dict(a=spd()),
        dict(a=spd(2)),
        dict(a=A(3, 3) + 4 * np.eye(3)),
        dict(a=A(3, 3), UPLO="U"),
    ]
    C["numpy.linalg.eigvalsh"] = [dict(a=spd()), dict(a=A(2, 3, 3), UPLO="U")]
    C["numpy.linalg.qr"] = [dict(a=A(3, 3)), dict(a=A(4, 2)), dict(a=A(2, 5, 3))]
    C["numpy.linalg.svd"] = [
        dict(a=A(3, 3)),
        dict(a=A(4, 2), full_matrices=False),
        dict(a=A(2, 3), full_matrices=False),
        dict(a=A(2, 4, 3), full_matrices=False),
        dict(a=A(3, 4), compute_uv=False),
    ]
    C["numpy.linalg.svdvals"] = [dict(x=A(3, 2)), dict(x=A(2, 2, 3))]
    C["numpy.linalg.pinv"] = [
        dict(a=A(3, 2)),
        dict(a=A(2, 4)),
        dict(a=wellcond()),
        dict(a=A(2, 3, 2)),
    ]
    C["numpy.linalg.lstsq"] = [
        dict(a=A(5, 3), b=A(5)),
        dict(a=A(5, 2), b=A(5, 3)),
        dict(a=A(3, 3) + 2 * np.eye(3), b=A(3)),
    ]
    C["numpy.linalg.multi_dot"] = [
        dict(arrays=[A(2, 3), A(3, 4), A(4, 2)]),
        dict(arrays=[A(3), A(3, 4), A(4)]),
        dict(arrays=[A(2, 3), A(3)]),
    ]
    C["numpy.linalg.norm"] = [
        dict(x=A(4)),
        dict(x=A(3, 4)),
        dict(x=A(3, 4), axis=1),
        dict(x=A(3, 4), axis=0, keepdims=True),
        dict(x=A(3), ord=2),
        dict(x=A(2, 3), ord="fro"),
        dict(x=A(4), ord=1),
        dict(x=A(4), ord=np.inf),
        dict(x=A(4), ord=-np.inf),
        dict(x=A(4), ord=3),
        dict(x=A(3, 4), ord=0.5, axis=-1),
        dict(x=A(3, 3), ord="nuc"),
        dict(x=A(3, 3), ord=2),
        dict(x=A(3, 3), ord=-2),
        dict(x=A(3, 4), ord=1),
        dict(x=A(3, 4), ord=-1),
        dict(x=A(3, 4), ord=np.inf),
        dict(x=A(3, 4), ord=-np.inf),
        dict(x=A(2, 3, 4), ord="nuc", axis=(2, 0)),
        dict(x=A(2, 3, 4), ord=2, axis=(-1, -2), keepdims=True),
    ]
    C["numpy.linalg.matrix_norm"] = [
        dict(x=A(2, 3, 3)),
        dict(x=A(3, 4), ord="nuc", keepdims=True),
        dict(x=A(3, 3), ord=np.inf),
    ]
    C["numpy.linalg.vector_norm"] = [
        dict(x=A(2, 3)),
        dict(x=A(2, 3), axis=1, ord=1),
        dict(x=A(2, 3, 2), axis=(0, 2), keepdims=True, ord=3),
    ]
    return C
