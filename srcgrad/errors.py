"""Errors srcgrad raises to users.

Every error srcgrad raises on purpose is a :class:`SrcgradError`:
``except srcgrad.SrcgradError`` catches API misuse and, through
:class:`TransformError`, code that cannot be differentiated.
"""

# Both live in srcgrad.transforms, which knows nothing of srcgrad, so that
# TransformError is a true subclass (``except`` ignores abc registration).
from srcgrad.transforms.diagnostics import SrcgradError, TransformError

__all__ = ["SrcgradError", "TransformError"]

SrcgradError.__module__ = __name__  # tracebacks name it srcgrad.errors.SrcgradError, as before
