"""The program behind tracy-mcp's demo capture: a small game-like loop profiled with the `tracypy` package (a
Tracy 0.13 client; every Python call becomes a zone). 120 frames on the main thread, two worker threads
simulating jobs; every 30th frame streams a level chunk, which makes it several times slower than the others.

`import tracypy` starts a Tracy client that broadcasts on the network: run this only through record.py, which
runs it inside a loopback-only network namespace."""

import sys
import threading
import time

import tracypy

FRAMES = 120


def wait_for_profiler(seconds=30.0):
    t0 = time.monotonic()
    while not tracypy.is_connected():
        if time.monotonic() - t0 > seconds:
            sys.exit("demo workload: no profiler connected")
        time.sleep(0.01)


def spin(us):
    end = time.perf_counter() + us / 1e6
    n = 0
    while time.perf_counter() < end:
        n += 1
    return n


def integrate(body):
    return spin(60)


def collide(a, b):
    return spin(15)


def update_physics(bodies):
    for b in range(bodies):
        integrate(b)
    for a in range(bodies // 4):
        collide(a, a + 1)


def plan_path(agent):
    return spin(120)


def update_ai(agents):
    for a in range(agents):
        plan_path(a)


def draw_mesh(mesh):
    return spin(25)


def render(meshes):
    for m in range(meshes):
        draw_mesh(m)


def decompress_chunk(size_kb):
    return spin(size_kb * 40)


def stream_level_chunk(frame):
    for _part in range(4):
        decompress_chunk(256)


def game_frame(frame):
    update_physics(40)
    update_ai(12)
    render(60)
    if frame % 30 == 29:
        stream_level_chunk(frame)


def run_job(job):
    return spin(300 + 100 * (job % 3))


def worker(stop, jobs):
    n = 0
    while not stop.is_set():
        run_job(n)
        n += 1
        if n % 4 == 0:
            time.sleep(0.002)
    jobs.append(n)


def main():
    wait_for_profiler()
    stop = threading.Event()
    jobs = []
    with tracypy.profile():
        threads = [threading.Thread(target=worker, args=(stop, jobs), name=f"worker-{i}") for i in range(2)]
        for t in threads:
            t.start()
        for frame in range(FRAMES):
            game_frame(frame)
            tracypy.frame_mark()
        stop.set()
        for t in threads:
            t.join()
    print(f"demo workload done: {FRAMES} frames, {sum(jobs)} jobs", flush=True)


if __name__ == "__main__":
    main()
