#!/usr/bin/python3
"""`nemsim explain DIR [--json]` runs this (see python/nemsim/explain.py)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "python"))

from nemsim import explain  # noqa: E402

if __name__ == "__main__":
    sys.exit(explain.main())
