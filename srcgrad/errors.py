"""Errors srcgrad raises to users."""

from srcgrad.transforms.diagnostics import TransformError


class SrcgradError(Exception):
    """Misuse of the srcgrad API (bad ``wrt``, a function without source, ...)."""


__all__ = ["SrcgradError", "TransformError"]
