"""nemsim's Python side: read a run's or a sweep's outputs, run
scenarios, plot them.

    import sys; sys.path.insert(0, "python")      # from the repository
    import nemsim
    out = nemsim.run("scenarios/fig5.ini", "/tmp/f5", seed=2)
    s = nemsim.summary(out)            # pandas Series, dotted keys
    nemsim.family(out, "domains")      # DataFrame, a row per domain
    sw = nemsim.sweep("out/fig6")      # sweep.csv, numeric, SI units

Modules: nemsim.units (unit strings -> SI numbers), nemsim.load (files,
standard library only), nemsim.frames (pandas), nemsim.runner (the
nemsim program), nemsim.plot (matplotlib; `nemsim plot DIR`).
Importing nemsim needs neither pandas nor matplotlib; the functions
below that return DataFrames import pandas when called.
"""
from . import load, units  # noqa: F401
from .load import OutputError  # noqa: F401
from .runner import RunError, run, sweep as run_sweep  # noqa: F401


def _frames():
    from . import frames
    return frames


# Thin wrappers over nemsim.frames (see there for what each returns).


def summary(run_dir):
    return _frames().summary(run_dir)


def info(run_dir):
    return _frames().info(run_dir)


def family(run_dir, fam):
    return _frames().family(run_dir, fam)


def perf(run_dir):
    return _frames().perf(run_dir)


def series(run_dir, name):
    return _frames().series(run_dir, name)


def throughput(run_dir):
    return _frames().throughput(run_dir)


def sweep(sweep_dir):
    return _frames().sweep(sweep_dir)


def points(sweep_dir):
    return _frames().points(sweep_dir)


def replicates(df, over=None, columns=None):
    return _frames().replicates(df, over, columns)

