#!/usr/bin/python3
"""Every ```sh block of the manual (docs/*.md, in file order, each file's
blocks in order) runs and succeeds, from a scratch folder that looks like
the repository's top folder (build/, scenarios/, docs/, python/, tools/
linked in), so that what the tutorial shows works as written.  Blocks
marked ```console are shown, not run (make, cluster commands).  Also: the
README and docs link nowhere outside the repository.

Run: /usr/bin/python3 tests/python/test_docs.py [NEMSIM]
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
DOCS = os.path.join(ROOT, "docs")


def blocks(path, lang="sh"):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return re.findall(r"^```" + lang + r"\n(.*?)^```", text, re.S | re.M)


class Docs(unittest.TestCase):
    def run_blocks(self, name, path=None):
        path = path or os.path.join(DOCS, name)
        code = blocks(path)
        self.assertTrue(code, f"{name} has no sh blocks")
        tmp = tempfile.mkdtemp(prefix="nemsim-docs-")
        self.addCleanup(shutil.rmtree, tmp)
        build = os.path.dirname(os.environ.get("NEMSIM", os.path.join(
            ROOT, "build", "nemsim")))
        os.symlink(build, os.path.join(tmp, "build"))
        for d in ("scenarios", "docs", "python", "tools"):
            os.symlink(os.path.join(ROOT, d), os.path.join(tmp, d))
        env = dict(os.environ, MPLBACKEND="Agg")
        for i, b in enumerate(code):
            p = subprocess.run(["bash", "-euo", "pipefail", "-c", b],
                               cwd=tmp, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            self.assertEqual(p.returncode, 0, f"{name}, sh block {i + 1}:\n"
                             f"{b}\n--- output ---\n{p.stdout[-3000:]}")

    def test_tutorial(self):
        self.run_blocks("tutorial.md")

    def test_readme(self):
        """The README's sh blocks (one run, check, keys, a sweep) work as
        written; its make and cluster commands are ```console."""
        self.run_blocks("README.md", os.path.join(ROOT, "README.md"))

    def test_ini_blocks_are_valid(self):
        """Every ```ini block of the README and the manual is a scenario
        that `nemsim check` accepts (includes resolve against
        scenarios/, as for a file written there)."""
        nemsim = os.environ.get("NEMSIM", os.path.join(ROOT, "build",
                                                       "nemsim"))
        files = [os.path.join(ROOT, "README.md")] + sorted(
            os.path.join(DOCS, f) for f in os.listdir(DOCS)
            if f.endswith(".md"))
        tmp = tempfile.mkdtemp(prefix="nemsim-ini-")
        self.addCleanup(shutil.rmtree, tmp)
        os.symlink(os.path.join(ROOT, "scenarios", "base"),
                   os.path.join(tmp, "base"))
        n = 0
        for f in files:
            for i, b in enumerate(blocks(f, "ini")):
                path = os.path.join(tmp, f"block{n}.ini")
                n += 1
                with open(path, "w", encoding="utf-8") as fh:
                    fh.write(b)
                p = subprocess.run([nemsim, "check", path],
                                   stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
                self.assertEqual(p.returncode, 0,
                                 f"{f}, ini block {i + 1}:\n{b}\n"
                                 f"--- nemsim check ---\n{p.stdout}")
        self.assertGreater(n, 0, "no ini block found")

    def test_scenarios_md_generated(self):
        nemsim = os.environ.get("NEMSIM", os.path.join(ROOT, "build",
                                                       "nemsim"))
        p = subprocess.run([sys.executable, os.path.join(
            ROOT, "tools", "scenarios_doc.py"), nemsim, "--check"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.assertEqual(p.returncode, 0, p.stdout)

    def test_outputs_md_generated(self):
        p = subprocess.run([sys.executable, os.path.join(
            ROOT, "tools", "outputs_doc.py"), "--check"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.assertEqual(p.returncode, 0, p.stdout)

    def test_no_links_outside(self):
        files = [os.path.join(ROOT, "README.md")] + [
            os.path.join(DOCS, f) for f in os.listdir(DOCS)
            if f.endswith(".md")]
        for f in files:
            with open(f, encoding="utf-8") as fh:
                text = fh.read()
            self.assertNotIn("../shared", text, f)
            self.assertNotIn("shared/design", text, f)
            for target in re.findall(r"\]\(([^)#]+)[^)]*\)", text):
                if re.match(r"[a-z]+://", target):
                    continue
                p = os.path.normpath(os.path.join(os.path.dirname(f),
                                                  target))
                self.assertTrue(p.startswith(ROOT + os.sep), (f, target))
                self.assertTrue(os.path.exists(p), (f, target))


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        os.environ["NEMSIM"] = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
