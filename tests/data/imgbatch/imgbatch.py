"""imgbatch: batch thumbnailer. Loads a job list, checks the settings on the first images on the main thread,
then decodes / resizes / filters / encodes every image on a 4-thread pool; a writer thread stores the results.
Images are synthetic (generated in memory); file and share I/O is emulated with sleeps.

usage: imgbatch.py SCENARIO [a|b]     SCENARIO in gil_bound, hot_function, regress
Profiled with tracypy (every Python function call is a Tracy zone)."""
import ctypes
import queue
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

import tracypy

import imgops

_libc = ctypes.CDLL(None)


def set_native_thread_name(name):
    """Python 3.13's threading does not name OS threads; profilers read the kernel's thread name (comm).
    A new thread inherits its creator's comm, so this is set on the spawning thread just before a spawn."""
    _libc.prctl(15, ctypes.c_char_p(name.encode()[:15]), 0, 0, 0)


class PipelineConfig:
    def __init__(self, **kw):
        self.images = 80
        self.src = 96            # source edge, pixels
        self.out = 64            # thumbnail edge
        self.read_ms = 10.0      # share read per image
        self.meta_ms = 3.0       # sidecar read
        self.flush_ms = 2.0      # encoder flush
        self.write_ms = 4.0      # writer: store one thumbnail
        self.filter_passes = 1
        self.resize = "bilinear"
        self.gamma = "cached"
        self.encode_fast = False
        self.encode_rounds = 1
        self.meta_fn = "load_meta"
        self.__dict__.update(kw)


def config_for(scenario, variant):
    if scenario == "gil_bound":
        return PipelineConfig(images=125, src=96, out=64, read_ms=4, meta_ms=2, flush_ms=0, write_ms=3, filter_passes=2)
    if scenario == "hot_function":
        return PipelineConfig(images=65, src=72, out=48, read_ms=10, meta_ms=3, flush_ms=2, gamma="per_row")
    if scenario == "regress":
        cfg = PipelineConfig(images=180, src=48, out=40, read_ms=50, meta_ms=5, flush_ms=0, encode_rounds=1)
        if variant == "b":
            cfg.resize = "lanczos"
            cfg.encode_fast = True
            cfg.meta_fn = "read_metadata"
        return cfg
    raise SystemExit("unknown scenario " + scenario)


PREVIEW = 5


class ImageJob:
    __slots__ = ("index", "path", "seed")

    def __init__(self, index, path, seed):
        self.index = index
        self.path = path
        self.seed = seed


class Result:
    __slots__ = ("index", "path", "data")

    def __init__(self, index, path, data):
        self.index = index
        self.path = path
        self.data = data


def load_job_list(cfg):
    time.sleep(0.06)  # manifest from the share
    return [ImageJob(i, "in/IMG_%04d.jpg" % (1000 + i), 7919 * i + 13) for i in range(cfg.images)]


def process_image(job, cfg):
    blob = imgops.read_source(job, cfg.read_ms)
    px = imgops.decode_jpeg(blob, cfg.src, cfg.src)
    if cfg.meta_fn == "load_meta":
        meta = imgops.load_meta(job, cfg.meta_ms)
    else:
        meta = imgops.read_metadata(job, cfg.meta_ms)
    if cfg.resize == "bilinear":
        small = imgops.resize_bilinear(px, cfg.src, cfg.src, cfg.out, cfg.out)
    else:
        small = imgops.resize_lanczos(px, cfg.src, cfg.src, cfg.out, cfg.out)
    gamma_fn = imgops.gamma_lookup if cfg.gamma == "per_row" else imgops.gamma_lookup_cached
    small = imgops.apply_filter(small, cfg.out, cfg.out, meta["gamma"], gamma_fn, cfg.filter_passes)
    data = imgops.encode_png(small, cfg.out, cfg.out, cfg.encode_fast, cfg.encode_rounds, cfg.flush_ms)
    return Result(job.index, job.path.replace("in/", "thumbs/").replace(".jpg", ".png"), data)


def preview_first_images(jobs, cfg):
    """Check the settings on the first images before starting the pool (shown to the user as a preview)."""
    return [process_image(job, cfg) for job in jobs[:PREVIEW]]


class ResultWriter:
    def __init__(self, cfg):
        self.cfg = cfg
        self.queue = queue.Queue(maxsize=64)
        self.written = 0
        self.bytes = 0
        set_native_thread_name("img-writer")
        self.thread = threading.Thread(target=self.run, name="img-writer")
        self.thread.start()
        set_native_thread_name("imgbatch")

    def run(self):
        while True:
            item = self.queue.get()
            if item is None:
                break
            self.write_output(item)
            tracypy.frame_mark("image written")

    def write_output(self, result):
        time.sleep(self.cfg.write_ms / 1000.0)
        self.written += 1
        self.bytes += len(result.data)

    def close(self):
        self.queue.put(None)
        self.thread.join()


def submit_all(pool, jobs, cfg):
    futures = []
    for job in jobs:
        if len(pool._threads) < pool._max_workers:
            set_native_thread_name("imgworker-%d" % len(pool._threads))
        futures.append(pool.submit(process_image, job, cfg))
    set_native_thread_name("imgbatch")
    return futures


def run_batch(jobs, cfg, writer):
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="imgworker") as pool:
        futures = submit_all(pool, jobs, cfg)
        for fut in as_completed(futures):
            writer.queue.put(fut.result())


def write_report(writer):
    time.sleep(0.03)
    return "%d thumbnails, %d bytes" % (writer.written, writer.bytes)


def main(argv):
    scenario = argv[1] if len(argv) > 1 else "gil_bound"
    variant = argv[2] if len(argv) > 2 else "a"
    cfg = config_for(scenario, variant)
    jobs = load_job_list(cfg)
    preview_first_images(jobs, cfg)
    writer = ResultWriter(cfg)
    t0 = time.perf_counter()
    run_batch(jobs[PREVIEW:], cfg, writer)
    writer.close()
    print(write_report(writer), "batch %.2f s" % (time.perf_counter() - t0), file=sys.stderr)


if __name__ == "__main__":
    set_native_thread_name("imgbatch")
    deadline = time.monotonic() + 10.0
    while not tracypy.is_connected() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.5)  # let the profiler connection settle before timing anything
    with tracypy.profile():
        main(sys.argv)
