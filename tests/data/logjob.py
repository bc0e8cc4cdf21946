"""logstats: a small log-analytics batch job (Python 3.13, profiled with tracypy).

Reads ~200 synthetic log files (generated in memory), parses every line, aggregates per-service /
per-level statistics and latency percentiles, and writes a text report.

Usage: prog.py SCENARIO [N_FILES] [LINES_PER_FILE]
  SCENARIO = current   : normalize_timestamp builds and compiles its regex on every call (the slow version)
             baseline  : the timestamp regex is compiled once at import (the version before the change)

`import tracypy` starts the Tracy client, which broadcasts UDP: run ONLY through record.sh.
"""
import random
import re
import sys
import time

import tracypy

SCENARIO = sys.argv[1] if len(sys.argv) > 1 else "current"
N_FILES = int(sys.argv[2]) if len(sys.argv) > 2 else 200
LINES_PER_FILE = int(sys.argv[3]) if len(sys.argv) > 3 else 3

LEVELS = ["DEBUG", "INFO", "INFO", "INFO", "WARN", "ERROR"]
SERVICES = ["auth", "billing", "search", "gateway", "inventory", "mailer", "scheduler"]
PATHS = ["/api/login", "/api/cart", "/api/search", "/api/items", "/api/checkout", "/health", "/api/user"]

# ---- synthetic corpus, generated in memory before profiling starts --------------------------------------------
_rng = random.Random(243)
CORPUS = {}
_base = 1_709_251_200  # 2024-03-01T00:00:00Z
for _f in range(N_FILES):
    _t = _base + _f * 86_400 // 3 + _rng.randrange(0, 600)
    _rows = []
    for _i in range(LINES_PER_FILE + _rng.randrange(0, 2)):  # rotated chunks: LINES_PER_FILE or one more
        _t += _rng.randrange(61, 400)  # lines a few minutes apart
        _tm = time.gmtime(_t)
        _ms = _rng.randrange(0, 1000)
        _ts = "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (_tm.tm_year, _tm.tm_mon, _tm.tm_mday,
                                                       _tm.tm_hour, _tm.tm_min, _tm.tm_sec, _ms)
        _lvl = _rng.choice(LEVELS)
        _svc = _rng.choice(SERVICES)
        _msg = "method=%s path=%s status=%d latency_ms=%d bytes=%d user=u%05d req=%08x" % (
            _rng.choice(["GET", "POST", "PUT"]), _rng.choice(PATHS),
            _rng.choice([200, 200, 200, 201, 204, 304, 400, 404, 500, 503]),
            int(_rng.lognormvariate(3.0, 0.8)), _rng.randrange(100, 90_000),
            _rng.randrange(0, 50_000), _rng.getrandbits(32))
        if _rng.random() < 0.05:  # a few nodes log full-width digits
            _ts = _ts.translate({c: c - 0x30 + 0xFF10 for c in range(0x30, 0x3A)})
        _rows.append("%s %s %s %s" % (_ts, _lvl, _svc, _msg))
    CORPUS["/var/log/app/node%03d.log" % _f] = "\n".join(_rows)

# ASCII, Arabic-Indic, Extended Arabic-Indic, Devanagari and full-width digits
_D = "[0-9\u0660-\u0669\u06f0-\u06f9\u0966-\u096f\uff10-\uff19]"
_LOCAL_TS_PATTERN = ("(" + _D + "{4})-(" + _D + "{2})-(" + _D + "{2})T(" + _D + "{2}):(" + _D + "{2}):("
                     + _D + "{2})(?:[.,](" + _D + "+))?Z")
_LOCAL_TS_RE = re.compile(_LOCAL_TS_PATTERN)
_DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]


# ---- the job ---------------------------------------------------------------------------------------------------
def load_file(path):
    """Pretend to read a file from slow storage."""
    time.sleep(0.0035)
    return CORPUS[path].split("\n")


def normalize_timestamp(ts):
    """ISO-8601 timestamp -> epoch milliseconds. Some nodes write localized digits (Arabic-Indic, full-width)."""
    if SCENARIO == "baseline":
        m = _LOCAL_TS_RE.match(ts)
    else:
        # Anchor on the line's own month/day/hour/minute so that a malformed seconds/offset field is rejected.
        prefix = re.escape(ts[5:16])
        m = re.compile(prefix + ":(" + _D + "{2})(?:[.,](" + _D + "+))?(Z|[+-]" + _D + "{2}:" + _D + "{2})$").match(ts, 5)
        if m is not None:
            m = _LOCAL_TS_RE.match(ts)
    if m is None:
        return None
    y, mo, d, hh, mm, ss, frac = m.groups()  # int() accepts any Unicode decimal digits
    y, mo, d = int(y), int(mo), int(d)
    days = (y - 1970) * 365 + (y - 1969) // 4 + _DAYS_BEFORE_MONTH[mo - 1] + d - 1
    if mo > 2 and y % 4 == 0:
        days += 1
    ms = int(frac[:3].ljust(3, "0")) if frac else 0
    return ((days * 24 + int(hh)) * 60 + int(mm)) * 60_000 + int(ss) * 1000 + ms


def classify_level(level):
    return {"DEBUG": 0, "INFO": 1, "WARN": 2, "ERROR": 3}.get(level, 1)


def parse_fields(rest):
    fields = {}
    for tok in rest.split(" "):
        k, _, v = tok.partition("=")
        if v.isdigit():
            fields[k] = int(v)
        else:
            fields[k] = v
    return fields


def message_fingerprint(rest):
    """32-bit simhash over character trigrams of the message with digits masked (groups near-duplicate errors)."""
    shape = "".join(["9" if ch.isdigit() else ch for ch in rest])
    acc = [0] * 32
    for i in range(0, len(shape) - 2, 2):
        h = 1469598103934665603
        for ch in shape[i:i + 3]:
            h = ((h ^ ord(ch)) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
        h ^= h >> 32
        for b in range(32):
            if (h >> b) & 1:
                acc[b] += 1
            else:
                acc[b] -= 1
    fp = 0
    for b in range(32):
        if acc[b] > 0:
            fp |= 1 << b
    return fp


def parse_line(line):
    ts, level, service, rest = line.split(" ", 3)
    t = normalize_timestamp(ts)
    lvl = classify_level(level)
    fields = parse_fields(rest)
    fields["_fp"] = message_fingerprint(rest)
    return (t, lvl, service, fields)


def aggregate_file(records, stats):
    for t, lvl, service, f in records:
        s = stats.get(service)
        if s is None:
            s = stats[service] = {"count": 0, "errors": 0, "bytes": 0, "lat": [], "paths": {}, "fps": {},
                                  "first": t, "last": t}
        s["count"] += 1
        if lvl >= 3 or f.get("status", 200) >= 500:
            s["errors"] += 1
            s["fps"][f["_fp"]] = s["fps"].get(f["_fp"], 0) + 1
        s["bytes"] += f.get("bytes", 0)
        s["lat"].append(f.get("latency_ms", 0))
        p = f.get("path", "?")
        s["paths"][p] = s["paths"].get(p, 0) + 1
        if t < s["first"]:
            s["first"] = t
        if t > s["last"]:
            s["last"] = t


def write_report(stats, out):
    """Format the report: per-service table, latency histogram, per-path breakdown."""
    lines = []
    for service in sorted(stats):
        s = stats[service]
        lat = sorted(s["lat"])
        n = len(lat)
        p50, p95, p99 = lat[n // 2], lat[min(n - 1, n * 95 // 100)], lat[min(n - 1, n * 99 // 100)]
        lines.append("%-10s n=%6d err=%5d bytes=%10d p50=%4d p95=%4d p99=%4d" % (
            service, s["count"], s["errors"], s["bytes"], p50, p95, p99))
        # fine-grained latency histogram with a text bar per 1 ms bucket, rendered several ways
        for rep in range(REPORT_PASSES):
            hist = {}
            for v in lat:
                hist[v] = hist.get(v, 0) + 1
            for b in range(0, 400):
                c = hist.get(b, 0)
                cum = 0
                for v in lat:
                    if v <= b:
                        cum += 1
                lines.append("  %4d ms %6d %6.2f%% %s" % (b, c, 100.0 * cum / n, "#" * (c * 60 // max(1, n))))
        for p, c in sorted(s["paths"].items()):
            lines.append("  %-14s %6d" % (p, c))
    out.append("\n".join(lines))
    return len(lines)


REPORT_PASSES = 30


def main():
    stats = {}
    n_lines = 0
    for path in sorted(CORPUS):
        raw = load_file(path)
        records = []
        for line in raw:
            records.append(parse_line(line))
        aggregate_file(records, stats)
        n_lines += len(records)
    out = []
    n = write_report(stats, out)
    print("logstats[%s]: %d files, %d lines, %d report lines" % (SCENARIO, len(CORPUS), n_lines, n),
          file=sys.stderr)


t0 = time.monotonic()
while not tracypy.is_connected():
    if time.monotonic() - t0 > 60:
        print("logstats: no Tracy server connected", file=sys.stderr)
        sys.exit(2)
    time.sleep(0.01)

with tracypy.profile():
    main()
