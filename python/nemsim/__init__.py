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
    """Every numeric summary.json entry of a run: a float Series by dotted key."""
    return _frames().summary(run_dir)


def info(run_dir):
    """The run's sim entries: scenario, seed, overrides, version, window."""
    return _frames().info(run_dir)


def family(run_dir, fam):
    """One family of summary.json (connections, domains, channels, nics,
    links, hosts, cpus, sources): a DataFrame, a row per instance."""
    return _frames().family(run_dir, fam)


def perf(run_dir):
    """perf.json of a run as a float Series."""
    return _frames().perf(run_dir)


def series(run_dir, name):
    """A CSV time series of a run by name ('throughput', 'cpu_nemesis')."""
    return _frames().series(run_dir, name)


def throughput(run_dir):
    """throughput.csv of a run: time_s, connection, throughput_mbps."""
    return _frames().throughput(run_dir)


def sweep(sweep_dir):
    """sweep.csv with numbers; swept keys with units get an SI twin
    column (carnage_slice -> carnage_slice_s)."""
    return _frames().sweep(sweep_dir)


def points(sweep_dir):
    """Every point's numeric summary.json as one row, with the swept keys."""
    return _frames().points(sweep_dir)


def replicates(df, over=None, columns=None):
    """Mean, sd, 95% CI half-width and n of each column over the seeds."""
    return _frames().replicates(df, over, columns)

