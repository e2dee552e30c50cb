#!/usr/bin/python3
"""Write docs/outputs.md from python/nemsim/outputs.py.

Usage: tools/outputs_doc.py [--check]   (--check: exit 1 if the file in
the repository is not what would be written)
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))

from nemsim import outputs  # noqa: E402

PATH = os.path.join(ROOT, "docs", "outputs.md")


def main():
    text = outputs.render()
    if "--check" in sys.argv[1:]:
        with open(PATH, encoding="utf-8") as f:
            if f.read() != text:
                print(f"{PATH} is out of date: run tools/outputs_doc.py",
                      file=sys.stderr)
                return 1
        return 0
    with open(PATH, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
