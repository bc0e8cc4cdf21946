"""churnjob: a nightly customer-churn batch pipeline (Python 3.13, profiled with tracypy).

Stages (each a Python function, so each is a tracy zone via tracypy's sys.monitoring bridge):
  load_rows     read 40 CSV shards (handed over by a prefetch worker thread that simulates slow storage)
  clean         drop/repair bad rows
  featurize     turn each of the 20 000 rows into a hashed feature vector (per-row Python loop)
  train         a few epochs of logistic-regression SGD on the features
  write_report  format the scoring report

Usage: prog.py SCENARIO
  SCENARIO = nightly  : featurize hashes every token's character trigrams for every row (no token cache)
             baseline : featurize memoizes the per-token hashed features in a dict (the version before the change)

`import tracypy` starts the Tracy client, which broadcasts UDP: run ONLY through record.sh.
"""
import queue
import random
import sys
import threading
import time

import tracypy

SCENARIO = sys.argv[1] if len(sys.argv) > 1 else "nightly"
N_ROWS = 20_000
N_SHARDS = 40
N_BUCKETS = 512
TRIGRAM_PASSES = 2  # n-gram window sizes 3, 4

# ---- synthetic input, generated before profiling starts -------------------------------------------------------
_rng = random.Random(324)
VOCAB = ["".join(_rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(_rng.randint(4, 10))) for _ in range(600)]
PLANS = ["free", "basic", "pro", "team", "enterprise"]
SHARDS = []
for _s in range(N_SHARDS):
    _lines = []
    for _i in range(N_ROWS // N_SHARDS):
        _words = " ".join(_rng.choice(VOCAB) for _ in range(_rng.randint(8, 14)))
        _tenure = _rng.randint(0, 120) if _rng.random() > 0.02 else -1  # a few broken rows
        _lines.append("%d,%s,%d,%.2f,%d,%s" % (_s * 1000 + _i, _rng.choice(PLANS), _tenure,
                                               _rng.uniform(0, 300), _rng.randint(0, 40), _words))
    SHARDS.append("\n".join(_lines))
LABELS_SEED = 7


# ---- prefetch worker -------------------------------------------------------------------------------------------
def fetch_shard(idx):
    """Simulated object-store GET (network wait)."""
    time.sleep(0.009)
    return SHARDS[idx]


def fetch_artifact(name):
    """Simulated download of a model/report artifact the later stages might need."""
    time.sleep(0.06)
    return name


def prefetch_worker(q, stop):
    for idx in range(N_SHARDS):
        q.put(fetch_shard(idx))
    q.put(None)
    # keep warming the artifact cache in the background until the pipeline is done
    n = 0
    while not stop.is_set():
        fetch_artifact("artifact-%d" % n)
        n += 1


# ---- stages ----------------------------------------------------------------------------------------------------
def parse_shard(text):
    rows = []
    for line in text.split("\n"):
        rid, plan, tenure, spend, tickets, words = line.split(",", 5)
        rows.append([int(rid), plan, int(tenure), float(spend), int(tickets), words])
    return rows


def load_rows(q):
    rows = []
    while True:
        text = q.get()
        if text is None:
            break
        rows.extend(parse_shard(text))
    return rows


def clean(rows):
    out = []
    for r in rows:
        if r[2] < 0:
            r[2] = 0
        r[5] = r[5].strip().lower()
        if r[1] not in PLANS:
            continue
        out.append(r)
    # de-duplicate on id, keep last
    seen = {}
    for r in out:
        seen[r[0]] = r
    return list(seen.values())


def tokenize(text):
    toks = []
    for w in text.split(" "):
        w = w.strip(".,;:!?")
        if w:
            toks.append(w)
    return toks


def hash_token(tok):
    """Hashed character n-grams of one token (n = 3, 4, 5), FNV-1a over the characters, pure Python."""
    feats = []
    s = "^" + tok + "$"
    for n in range(3, 3 + TRIGRAM_PASSES):
        for i in range(len(s) - n + 1):
            h = 2166136261
            for ch in s[i:i + n]:
                h = ((h ^ ord(ch)) * 16777619) & 0xFFFFFFFF
            feats.append(h % N_BUCKETS)
    return feats


_TOKEN_CACHE = {}


def hash_features(tokens):
    vec = {}
    if SCENARIO == "baseline":
        for tok in tokens:
            feats = _TOKEN_CACHE.get(tok)
            if feats is None:
                feats = _TOKEN_CACHE[tok] = hash_token(tok)
            for f in feats:
                vec[f] = vec.get(f, 0) + 1
    else:
        for tok in tokens:
            s = "^" + tok + "$"
            for n in range(3, 3 + TRIGRAM_PASSES):
                for i in range(len(s) - n + 1):
                    h = 2166136261
                    for ch in s[i:i + n]:
                        h = ((h ^ ord(ch)) * 16777619) & 0xFFFFFFFF
                    f = h % N_BUCKETS
                    vec[f] = vec.get(f, 0) + 1
    return vec


def featurize_row(row):
    toks = tokenize(row[5])
    vec = hash_features(toks)
    vec[N_BUCKETS + PLANS.index(row[1])] = 1
    vec[N_BUCKETS + 5] = row[2] / 120.0
    vec[N_BUCKETS + 6] = row[3] / 300.0
    vec[N_BUCKETS + 7] = row[4] / 40.0
    return vec


def featurize(rows):
    feats = []
    for r in rows:
        feats.append(featurize_row(r))
    return feats


def train_epoch(X, y, w, lr):
    loss = 0.0
    for xi, yi in zip(X, y):
        z = 0.0
        for k, v in xi.items():
            z += w[k] * v
        p = 1.0 / (1.0 + 2.718281828 ** (-max(-30.0, min(30.0, z))))
        g = p - yi
        loss += abs(g)
        for k, v in xi.items():
            w[k] -= lr * g * v
    return loss / len(X)


def train(X):
    lrng = random.Random(LABELS_SEED)
    y = [1 if lrng.random() < 0.2 else 0 for _ in X]
    w = [0.0] * (N_BUCKETS + 8)
    losses = []
    sample = list(range(0, len(X), 2))  # 50% sample, 3 epochs
    Xs = [X[i] for i in sample]
    ys = [y[i] for i in sample]
    for epoch in range(3):
        losses.append(train_epoch(Xs, ys, w, 0.05 / (1 + epoch)))
    return w, losses


def write_report(rows, X, w, losses):
    lines = ["churn report", "epochs: " + " ".join("%.4f" % l for l in losses)]
    for r, xi in zip(rows[1::2], X[1::2]):  # scored hold-out half
        z = 0.0
        for k, v in xi.items():
            z += w[k] * v
        lines.append("%8d %-10s %4d %8.2f %3d score=%.4f" % (r[0], r[1], r[2], r[3], r[4], z))
    lines.sort(key=len)
    time.sleep(0.08)  # upload
    return len(lines)


def run_pipeline():
    q = queue.Queue(maxsize=8)
    stop = threading.Event()
    t = threading.Thread(target=prefetch_worker, args=(q, stop), name="prefetch")
    t.start()
    rows = load_rows(q)
    rows = clean(rows)
    X = featurize(rows)
    w, losses = train(X)
    n = write_report(rows, X, w, losses)
    stop.set()
    t.join()
    print("churnjob[%s]: %d rows, %d report lines, final loss %.4f" % (SCENARIO, len(rows), n, losses[-1]),
          file=sys.stderr)


t0 = time.monotonic()
while not tracypy.is_connected():
    if time.monotonic() - t0 > 60:
        print("churnjob: no Tracy server connected", file=sys.stderr)
        sys.exit(2)
    time.sleep(0.01)

with tracypy.profile():
    run_pipeline()
