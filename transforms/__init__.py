"""Program transformation for source-to-source differentiation.

Knows nothing about numpy: the derivative of each primitive comes from a
rules object handed in by the caller.
"""
