"""Running scenarios through the nemsim program (build/nemsim).

    from nemsim import runner
    out = runner.run("scenarios/fig5.ini", "/tmp/f5", seed=3,
                     overrides={"simulation.duration": "12s"})
"""
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))


class RunError(RuntimeError):
    """nemsim exited with a failure; .status and .stderr say why."""

    def __init__(self, cmd, status, stderr):
        self.cmd, self.status, self.stderr = cmd, status, stderr
        what = {1: "failed", 2: "bad input", 130: "interrupted"}.get(
            status, f"exit status {status}")
        super().__init__(f"{' '.join(cmd)}: {what}: {stderr.strip()}")


def binary():
    """The nemsim program: $NEMSIM, else the repository's build/nemsim."""
    path = os.environ.get("NEMSIM") or os.path.join(REPO, "build", "nemsim")
    if not os.access(path, os.X_OK):
        raise FileNotFoundError(f"{path}: no nemsim program (run `make "
                                "build`, or set NEMSIM)")
    return path


def _args(overrides, seed):
    args = []
    for k, v in (overrides or {}).items():
        args += ["--set", f"{k}={v}"]
    if seed is not None:
        args += ["--seed", str(int(seed))]
    return args


def _call(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if p.returncode != 0:
        raise RunError(cmd, p.returncode, p.stderr)
    return p.stdout


def run(scenario, out, overrides=None, seed=None, point=None):
    """Run one scenario into `out` (replacing what a finished run left
    there) and return `out`.  overrides: {'group.key': 'value'}; point:
    which point of a scenario with a [sweep] (nemsim refuses to run such
    a file without one)."""
    extra = ["--point", str(int(point))] if point is not None else []
    _call([binary(), "run", scenario, "--out", out, "--quiet"]
          + _args(overrides, seed) + extra)
    return out


def sweep(scenario, out, overrides=None, jobs=None):
    """Run every point of a scenario's [sweep] into `out`; return `out`."""
    cmd = [binary(), "sweep", scenario, "--out", out, "--quiet"]
    if jobs:
        cmd += ["--jobs", str(int(jobs))]
    _call(cmd + _args(overrides, None))
    return out


def check(scenario, overrides=None):
    """`nemsim check`: the number of points, or RunError for bad input."""
    text = _call([binary(), "check", scenario] + _args(overrides, None))
    return int(text.rsplit("(", 1)[1].split()[0])
