"""srcgrad: automatic differentiation by source transformation.

>>> import numpy as np, srcgrad
>>> def f(x):
...     return np.sum(np.sin(x) * x)
>>> df = srcgrad.grad(f)
"""

from srcgrad.api import grad, source, value_and_grad, vjp
from srcgrad.checking import check_grads
from srcgrad.custom import adjoint, custom_gradient, stop_gradient, tangent, user_rules
from srcgrad.errors import SrcgradError, TransformError
from srcgrad.higher import hessian, hvp, jacobian, jvp
from srcgrad.hooks import grad_of, without_hooks

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
    "stop_gradient",
    "adjoint",
    "tangent",
    "custom_gradient",
    "grad_of",
    "check_grads",
    "user_rules",
    "without_hooks",
    "SrcgradError",
    "TransformError",
    "__version__",
]
