"""Input modules for tests/test_errors.py: one small function per construct
srcgrad cannot differentiate.

The offending line of each function carries a trailing ``# error: SNIPPET``
comment: the located error must point at that line, with its caret inside
the first occurrence of ``SNIPPET`` on the line.  Keep these files stable --
the tests read line and column numbers from them.
"""
