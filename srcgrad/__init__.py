"""srcgrad: automatic differentiation by source transformation.

>>> import numpy as np, srcgrad
>>> def f(x):
...     return np.sum(np.sin(x) * x)
>>> df = srcgrad.grad(f)
"""

from srcgrad.api import grad, source, value_and_grad, vjp
from srcgrad.errors import SrcgradError, TransformError
from srcgrad.higher import hessian, hvp, jacobian, jvp

__version__ = "0.1.0"

__all__ = [
    "grad",
    "value_and_grad",
    "vjp",
    "source",
    "jvp",
    "hvp",
    "hessian",
    "jacobian",
    "SrcgradError",
    "TransformError",
    "__version__",
]
