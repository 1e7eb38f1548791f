"""Errors srcgrad raises to users.

Every error srcgrad raises on purpose is a :class:`SrcgradError`:
``except srcgrad.SrcgradError`` catches API misuse and, through
:class:`TransformError`, code that cannot be differentiated.
"""

import abc

from srcgrad.transforms.diagnostics import TransformError


class SrcgradError(Exception, metaclass=abc.ABCMeta):
    """Misuse of the srcgrad API (bad ``wrt``, a function without source, ...)."""


# TransformError lives in srcgrad.transforms, which knows nothing of srcgrad;
# registering it makes it a SrcgradError for isinstance and except clauses.
SrcgradError.register(TransformError)

__all__ = ["SrcgradError", "TransformError"]
