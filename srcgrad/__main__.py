"""``python -m srcgrad``: the ``srcgrad`` command (see :mod:`srcgrad.cli`)."""

import sys

from srcgrad.cli import main

if __name__ == "__main__":
    sys.exit(main())
