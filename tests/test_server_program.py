"""The analyses on a request-serving backend's captures (tests/data/reqsrv-*.tracy, see README.md there): no frame
marks (a discontinuous "Metrics flush" set only), a pool of workers handling requests, a read/write lock, named
memory pools with allocation callstacks, queue plots. Expectations come from the plain tables."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from tracy_mcp import open_capture
from tracy_mcp.analysis.formatting import fmt_ns

DATA = Path(__file__).parent / "data"


def test_without_frames_the_slow_requests_and_the_query_behind_them() -> None:
    """tail_latency: 1-2% of the requests run an unindexed query; the sparse "Metrics flush" frames are no frame."""
    with open_capture(DATA / "reqsrv-tail_latency.tracy") as c:
        s = c.summary()
        r = c.slow_frames()
        req = c.zones(name="Server::HandleRequest")
        q = c.zones(name="Db::Query")
    assert "no frame marks (the program never marked a frame)" in s.summary()
    d = req["duration_ns"].to_numpy()
    slow = req[d > 2 * np.median(d)]
    assert r.title.startswith(f"{len(slow)} slow run(s) of Server::HandleRequest of {len(req)}")
    assert r.culprit == "Db::Query" and "Server::HandleRequest > Db::Query" in r.title
    assert f"p99 {fmt_ns(np.percentile(d, 99))}" in r.title
    # the slow requests' endpoint and their query: every e-mail lookup is slow
    by_email = q[q["text"].str.contains("customer_email")]
    assert (by_email["duration_ns"] > 50_000_000).all()
    line = next(x for x in r.lines if x.startswith("Zone texts of Db::Query inside them"))
    assert f"{len(by_email)} of its {len(by_email)} runs slow (100.0%;" in line and "customer_email" in line
    assert any("orders/history" in x for x in r.lines if x.startswith("Zone texts of its runs"))
    # what fixing them gives: the p99 of the other requests
    email = req["text"].str.contains("email=")
    rest = req[~email]["duration_ns"].to_numpy()
    assert f"Without the {int(email.sum())} runs that carry the first: p99 {fmt_ns(np.percentile(rest, 99))}" in (
        "\n".join(r.lines)
    )
    assert any(x.startswith('Logged inside the slow runs: "db: slow query') for x in r.lines)
    assert not any("bursts" in x for x in r.lines)  # slow requests that overlap by chance are no burst
    assert s.findings[0][0] == "ctx.slow_frames()"


def test_requests_stalled_by_a_writer_name_the_lock_and_what_runs_in_every_burst() -> None:
    """rwlock_writer: config-watcher holds RouteTable::lock exclusive in Config::Reload every ~500 ms."""
    with open_capture(DATA / "reqsrv-rwlock_writer.tracy") as c:
        r = c.slow_frames()
        reload = c.zones(name="Config::Reload")
    assert r.culprit == "Router::Resolve"
    assert "waiting for lock RouteTable::lock (held meanwhile by config-watcher in Config::ParseRoutes)" in r.title
    burst = next(x for x in r.lines if x.startswith("The slow runs come in"))
    m = re.match(r"The slow runs come in (\d+) bursts", burst)
    assert m is not None and int(m[1]) == len(reload)
    assert "in 100.0% of them Config::Reload (config-watcher) runs" in burst
    assert f"{len(reload)} runs in all" in burst
    # the lock's report: the writer's holds, not the readers', lie in one zone
    with open_capture(DATA / "reqsrv-rwlock_writer.tracy") as c:
        lc = c.lock_contention("RouteTable::lock")
    assert "held meanwhile by config-watcher (exclusive) in Config::ParseRoutes" in lc.title
    assert any(
        x.strip().startswith("held across the whole of Config::Reload: 100% of config-watcher") for x in lc.lines
    )
    assert not any("held across the whole of Router::Resolve" in x for x in lc.lines)
    # each reload is one stall: how long, how far apart, how many workers it blocked, what was logged
    held = (reload["end_ns"] - reload["start_ns"]).to_numpy()
    stalls = next(x.strip() for x in lc.lines if "stalls:" in x)
    assert stalls.startswith(f"{len(reload)} stalls: config-watcher (exclusive) held it ")
    assert '; 5 threads blocked in each; logged in each: "config reloaded: routes.yaml' in stalls
    assert f"({len(reload)} of {len(reload)})" in stalls and held.max() < 60e6


def test_a_leak_on_every_worker_is_one_leak_with_its_callstack() -> None:
    """pool_leak: Conn::OnTimeout keeps a 24 KiB buffer of pool conn_buffers on whichever worker timed out."""
    with open_capture(DATA / "reqsrv-pool_leak.tracy") as c:
        r = c.memory_report()
        ev = c.memory_events()
    never = ev[ev["free_ns"] < 0]
    assert set(never["pool"]) == {"conn_buffers"} and set(never["size_bytes"]) == {24576}
    threads = sorted(set(never["alloc_thread"]))
    assert len(threads) > 1
    assert (
        f"LEAK in Conn::OnTimeout (pool conn_buffers, on {len(threads)} threads): {len(never)} x 24576 B = "
        f"{int(never['size_bytes'].sum())} B never freed" in r.title
    )
    head = next(x for x in r.lines if x.startswith("LEAK: Conn::OnTimeout"))
    # the call site starts at the program's frames (not the profiler's own), after the allocation wrapper
    assert "; called (through mem_alloc) from conn_on_timeout (reqsrv.cpp:" in head
    assert "< http_write (reqsrv.cpp:" in head
    assert "tracy::" not in head
    # what each leaked buffer was for: the warning logged beside it on its thread
    logged = next(x.strip() for x in r.lines if x.strip().startswith("logged on the same thread"))
    assert '"write timeout on request #' in logged and f"({len(never)} of {len(never)})" in logged
    # the session cache is emptied at shutdown: said, with the zone that does it
    clear = ev[(ev["pool"] == "session_cache") & (ev["free_ns"] >= 0)]
    assert (clear["free_ns"] > 6.0e9).sum() >= 90
    assert any(x.startswith("Freed at exit: ") and "in Session::Clear" in x for x in r.lines)
    live = next(x for x in r.lines if x.startswith("Live memory in the middle of each tenth"))
    assert live.endswith(": still growing.")  # the session cache filled; the leak goes on
    # the session cache's plot rises to its cap and holds: it does not "climb all run" beside the leak's
    with open_capture(DATA / "reqsrv-pool_leak.tracy") as c:
        trend = c.frame_trend()
        text = c.summary().summary()
    assert "conn_buffers_kb" in trend.climbing and "session_cache_kb" not in trend.climbing
    assert re.search(r"session_cache_kb [\d,]+ -> [\d,]+ \(range [\d,.]+\.\.[\d,]+; rises, then holds near", text)


def test_a_queue_that_climbs_after_the_load_steps_up_gets_its_rates() -> None:
    """backlog: arrivals step up past what the five workers can do; handling time per request stays flat."""
    with open_capture(DATA / "reqsrv-backlog.tracy") as c:
        r = c.frame_trend()
        q = c.plot_points("queue depth")
        req = c.zones(name="Server::HandleRequest")
    assert "queue depth" in r.climbing and not r.drifting
    m = re.search(
        r"A backlog: over queue depth's climb \(([\d.]+) s -> ([\d.]+) s\) worker-0 to worker-4 \(5 threads\)", r.title
    )
    assert m is not None
    lo, hi = (int(float(x) * 1e9) for x in m.groups())
    done = req[(req["end_ns"] >= lo) & (req["end_ns"] < hi)]
    t, v = q["time_ns"].to_numpy(), q["value"].to_numpy()
    w = (t >= lo) & (t <= hi)
    arrive = len(done) / ((hi - lo) / 1e9) + np.polyfit((t[w] - lo) / 1e9, v[w], 1)[0]
    shown = re.search(r"work arrives at about ([\d,.]+)/s", r.title)
    assert shown is not None and abs(float(shown[1].replace(",", "")) - arrive) < 0.01 * arrive
    assert "or 6 threads" in r.title
    # what the program said as it began: the load balancer sent more traffic
    assert (
        "Logged as the climb began: \"lb: backend added to pool 'eu-west' (weight 2)\" (2.132 s, acceptor)" in r.title
    )


def test_requests_joined_by_id_to_their_accept_show_the_queue_wait() -> None:
    """backlog: the latency is waiting in the queue (accept -> handling, joined by the request id both zones' texts
    carry), growing all run, while handling stays flat; tail_latency: the wait is tiny, the time is handling."""
    with open_capture(DATA / "reqsrv-backlog.tracy") as c:
        r = c.slow_frames()
        acc = c.zones(name="Net::Accept")
        req = c.zones(name="Server::HandleRequest")
    acc = acc.assign(rid=acc["text"].str.extract(r"#(\d+)", expand=False))
    req = req.assign(rid=req["text"].str.extract(r"#(\d+)", expand=False))
    j = req.merge(acc, on="rid", suffixes=("", "_acc"))
    wait = np.maximum(j["start_ns"] - j["end_ns_acc"], 0).to_numpy()  # taken before the accept zone ended: none
    handling = np.median(req["duration_ns"].to_numpy())
    assert r.title.startswith(
        "Server::HandleRequest does not keep up with Net::Accept: its runs wait in the queue longer than they take "
        f"(wait p50 "
        f"{fmt_ns(np.median(wait))}, max {fmt_ns(wait.max())}; handling p50 {fmt_ns(handling)})"
    )
    line = next(x for x in r.lines if x.startswith("Queue wait before Server::HandleRequest"))
    assert f"on acceptor; {len(j)} of {len(req)} runs" in line
    assert f"max {fmt_ns((j['end_ns'] - j['start_ns_acc']).max())}, against handling" in line
    assert "the wait's median goes from" in line and "waiting in the queue for a free thread" in line
    with open_capture(DATA / "reqsrv-tail_latency.tracy") as c:
        r = c.slow_frames()
    assert "does not keep up" not in r.title and any("most of it is handling, not waiting" in x for x in r.lines)


def test_one_hot_shard_names_its_thread_the_idle_rest_and_the_key() -> None:
    """single_hot_worker: requests sharded by key; worker-3 gets shard 3's hot tenant while the others idle."""
    with open_capture(DATA / "reqsrv-single_hot_worker.tracy") as c:
        r = c.frame_trend()
        t = c.thread_report()
        req = c.zones(name="Server::HandleRequest")
    assert "worker-3 (1 thread) works" in r.title
    assert "The rest of their pool, worker-0 to worker-2, worker-4 to worker-5, works only" in r.title
    assert "or 2 threads" not in r.title  # more threads would not help: the work is not shared out
    on3 = req[req["thread"] == "worker-3"]["text"]
    assert on3.str.contains("shard=3").all()
    assert not req[req["thread"] != "worker-3"]["text"].str.contains("shard=3").any()
    line = next(x for x in t.lines if x.startswith("What worker-3's texts have in common"))
    assert "shard=3 (100.0% of its runs, 0.0% of the others')" in line


def test_what_the_program_calls_itself_is_shown_and_compared() -> None:
    """TracyAppInfo: the version and build the program reported, in info(), the summary and a comparison."""
    with open_capture(DATA / "reqsrv-regress_a.tracy") as a, open_capture(DATA / "reqsrv-regress_b.tracy") as b:
        info = b.info()
        s = b.summary()
        diff = a.compare(b)
    assert info["app_info"] == ["reqsrv 3.9.0 (build b) bench"]
    assert info["name"].startswith("reqsrv @ ")  # the capture's own name is the program and its start
    assert s.summary().splitlines()[1].startswith('Contains: reqsrv ("reqsrv 3.9.0 (build b) bench"), Tracy 0.14.0')
    assert "  app info 'reqsrv 3.8.1 (build a) bench' -> 'reqsrv 3.9.0 (build b) bench'" in diff.lines
    # Json::Serialize runs on the five workers: its time per frame adds theirs up
    assert "most impact: Json::Serialize" in diff.title
    assert "per 'Request batch' frame, summed over the 5 threads it runs on)" in diff.title
    assert diff.title.split(": ", 1)[1].startswith("median 'Request batch' frame ")
    # no app info: nothing is added
    with open_capture(DATA / "discardpool-0.14.0.tracy") as c:
        assert c.get_app_info() == [] and '("' not in c.summary().summary().splitlines()[1]


def test_a_pool_of_workers_is_one_call_tree_with_each_members_share() -> None:
    """The five workers run the same requests: one merged tree (per_thread=True keeps them apart)."""
    with open_capture(DATA / "reqsrv-regress_b.tracy") as c:
        r = c.call_tree(name="Server::HandleRequest")
        apart = c.call_tree(name="Server::HandleRequest", per_thread=True)
        hot = c.hot_paths(3)
        req = c.zones(name="Server::HandleRequest")
        js = c.zones(name="Json::Serialize")
    top = r.table[r.table["depth"] == 0]
    assert len(top) == 1 and int(top["count"].iloc[0]) == len(req)
    assert top["thread"].iloc[0] == "worker-0 to worker-4 (5 threads)"
    assert "on 5 threads (a pool's threads merged into one tree)" in r.title
    per = req.groupby("thread", observed=True)["duration_ns"].sum().sort_values(ascending=False)
    header = next(x for x in r.lines if x.startswith("worker-0 to worker-4 (5 threads) ("))
    assert "each: " + ", ".join(f"{t} {fmt_ns(v)}" for t, v in per.items()) in header
    assert len(apart.table[apart.table["depth"] == 0]) == 5
    # hot paths: Json::Serialize is one path of the pool's threads, with all of its self time
    first = hot.table.iloc[0]
    assert first["path"] == "Server::HandleRequest > Json::Serialize" and first["count"] == len(js)
    assert first["self_ns"] == js["self_ns"].sum()


def test_the_named_zone_by_its_text_is_the_endpoint_table() -> None:
    """tail_latency: call_tree(name=...) groups the requests by their zone text: the slow endpoint stands out."""
    with open_capture(DATA / "reqsrv-tail_latency.tracy") as c:
        r = c.call_tree(name="Server::HandleRequest")
        req = c.zones(name="Server::HandleRequest")
    t = r.tables["by_text"]
    assert int(t["runs"].sum()) == len(req)
    first = t.iloc[0]
    email = req[req["text"].str.contains("email=")]
    assert "orders/history?email=" in first["text"] and first["runs"] == len(email)
    assert first["median_ns"] == np.median(email["duration_ns"]) and first["total_ns"] == email["duration_ns"].sum()
    assert any(x.startswith("Server::HandleRequest by its zone text (numbers blanked)") for x in r.lines)


def test_a_culprit_whose_growth_is_shared_by_its_steps_is_the_zone_around_them() -> None:
    """ticksrv-inline: 8 of 120 ticks run Matchmaking::Rebalance, half in its query, half in its scoring; the culprit
    is Rebalance with both steps, not the query that happened to grow a little more in most of them."""
    with open_capture(DATA / "ticksrv-inline.tracy") as c:
        r = c.slow_frames()
        reb = c.zones(name="Matchmaking::Rebalance")
        d = reb["duration_ns"].to_numpy()
    assert len(d) == 8 and r.culprit == "Matchmaking::Rebalance"
    assert "culprit Matchmaking::Rebalance (Server::Tick > Matchmaking::Rebalance) (inside it: Matchmaking::" in r.title
    assert f"in 8 of the 9 slow runs analysed, {fmt_ns(d.min())}..{fmt_ns(d.max())} in them" in r.title


def test_churn_in_a_program_without_frames_is_not_told_per_frame() -> None:
    """Tracy's own two frames of a program that never marks one are no unit for an allocation rate: the rate per
    run of the request loop is, where the allocations sit in one."""
    with open_capture(DATA / "reqsrv-tail_latency.tracy") as c:
        line = next(x for x in c.memory_report().lines if x.startswith("Most allocations:"))
    assert "per active frame" not in line and "per gameplay frame" not in line
