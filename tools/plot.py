#!/usr/bin/python3
"""`nemsim plot DIR [--out PNG_DIR]` runs this (see python/nemsim/plot.py)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "python"))

from nemsim import plot  # noqa: E402

if __name__ == "__main__":
    sys.exit(plot.main())
