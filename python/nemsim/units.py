"""Units as nemsim's scenarios write them, as numbers in SI base units.

The grammar is the simulator's own (sim/simtime.c): a non-negative
decimal number followed by a unit, with optional spaces between.  Times
(ns, us, µs, μs, ms, s) become seconds, rates (b/s, bps, kb/s, Kb/s,
Mb/s, Gb/s) bits per second, lengths (mm, cm, m, km) metres.  A bare 0
is allowed where a unit is (the simulator accepts it for "nothing").

Standard library only.
"""
import math
import re

TIME = {"ns": 1e-9, "us": 1e-6, "\u00b5s": 1e-6, "\u03bcs": 1e-6,
        "ms": 1e-3, "s": 1.0}
RATE = {"b/s": 1.0, "bps": 1.0, "kb/s": 1e3, "Kb/s": 1e3, "Mb/s": 1e6,
        "Gb/s": 1e9}
LENGTH = {"mm": 1e-3, "cm": 1e-2, "m": 1.0, "km": 1e3}

# kind -> (units, the suffix a column of that kind gets, base unit name)
KINDS = {"time": (TIME, "s", "s"), "rate": (RATE, "bps", "b/s"),
         "length": (LENGTH, "m", "m")}

_NUM = re.compile(r"^\s*\+?(\d+(?:\.\d*)?|\.\d+)\s*(.*?)\s*$")


class UnitError(ValueError):
    """A text that is not a quantity nemsim understands."""


def split(text):
    """'1.6ms' -> (1.6, 'ms'); '0' -> (0.0, ''); raises UnitError."""
    if not isinstance(text, str):
        raise UnitError(f"{text!r} is not a text")
    m = _NUM.match(text)
    if not m:
        raise UnitError(f"{text!r} does not start with a non-negative "
                        "number")
    return float(m.group(1)), m.group(2)


def kind_of(unit):
    """The kind ('time', 'rate', 'length') of a unit name, or None."""
    for kind, (table, _, _) in KINDS.items():
        if unit in table:
            return kind
    return None


def parse(text, kind=None):
    """A quantity in SI base units: parse('500us') == 0.0005,
    parse('10Mb/s') == 1e7, parse('100m') == 100.0.

    kind ('time', 'rate' or 'length') restricts the units accepted; a
    bare number is only accepted if it is 0 (as the simulator does) or
    if kind is None (then it is returned as it is)."""
    value, unit = split(text)
    if unit == "":
        if kind is None or value == 0:
            return value
        raise UnitError(f"{text!r} has no unit (a {kind} needs one: "
                        f"{', '.join(KINDS[kind][0])})")
    k = kind_of(unit)
    if k is None or (kind is not None and k != kind):
        want = KINDS[kind][0] if kind else \
            [u for t, _, _ in KINDS.values() for u in t]
        raise UnitError(f"{text!r} has an unknown unit {unit!r} "
                        f"(use {', '.join(want)})")
    return value * KINDS[k][0][unit]


def parse_time(text):
    """Seconds."""
    return parse(text, "time")


def parse_rate(text):
    """Bits per second."""
    return parse(text, "rate")


def parse_length(text):
    """Metres."""
    return parse(text, "length")


def column_kind(values):
    """The kind shared by every value of a column of texts, 'number' if
    they are all plain numbers, None if they are anything else (names,
    QoS triples, mixed kinds).  Bare zeros fit any kind."""
    kinds = set()
    for v in values:
        try:
            num, unit = split(str(v))
        except UnitError:
            return None
        if unit == "":
            kinds.add("zero" if num == 0 else "number")
        else:
            k = kind_of(unit)
            if k is None:
                return None
            kinds.add(k)
    kinds.discard("zero")
    if not kinds:
        return "number"
    if len(kinds) == 1:
        return kinds.pop()
    return None


def si_name(column, kind):
    """The name of a column's numeric twin: ('carnage_slice', 'time') ->
    'carnage_slice_s'."""
    return f"{column}_{KINDS[kind][1]}"


def number(text):
    """A summary or CSV field as a float (nan for an empty field)."""
    if text is None or text == "":
        return math.nan
    return float(text)
