"""imgbatch image operations: pure-Python pixel loops (no numpy on purpose: this is the slow path
users hit when PIL is missing). Images are flat lists of 8-bit grey values, row-major."""
import json
import math
import time
import zlib


def read_source(job, io_ms):
    """Read the encoded file from the (network) share."""
    time.sleep(io_ms / 1000.0)
    return job.seed.to_bytes(8, "little") * 4


def decode_jpeg(blob, w, h):
    """'Decode': expand the blob into w*h pixels with an LCG (stands in for IDCT work)."""
    x = int.from_bytes(blob[:8], "little") | 1
    px = [0] * (w * h)
    for i in range(w * h):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        px[i] = (x >> 16) & 0xFF
    return px


def load_meta(job, io_ms):
    """Read the sidecar .json (EXIF orientation, colour profile)."""
    time.sleep(io_ms / 1000.0)
    return json.loads('{"orientation": 1, "gamma": 2.2, "profile": "sRGB", "id": %d}' % job.index)


def read_metadata(job, io_ms):
    """Read the sidecar .json (EXIF orientation, colour profile)."""
    time.sleep(io_ms / 1000.0)
    return json.loads('{"orientation": 1, "gamma": 2.2, "profile": "sRGB", "id": %d}' % job.index)


def resize_bilinear(px, w, h, ow, oh):
    out = [0] * (ow * oh)
    sx = (w - 1) / ow
    sy = (h - 1) / oh
    for y in range(oh):
        fy = y * sy
        y0 = int(fy)
        dy = fy - y0
        r0 = y0 * w
        r1 = r0 + w
        orow = y * ow
        for x in range(ow):
            fx = x * sx
            x0 = int(fx)
            dx = fx - x0
            a = px[r0 + x0] + (px[r0 + x0 + 1] - px[r0 + x0]) * dx
            b = px[r1 + x0] + (px[r1 + x0 + 1] - px[r1 + x0]) * dx
            out[orow + x] = int(a + (b - a) * dy)
    return out


def _lanczos_weights(frac):
    ws = []
    for k in (-1, 0, 1, 2):
        t = k - frac
        if t == 0:
            ws.append(1.0)
        else:
            pt = math.pi * t
            ws.append(2.0 * math.sin(pt) * math.sin(pt / 2.0) / (pt * pt))
    s = ws[0] + ws[1] + ws[2] + ws[3]
    return ws[0] / s, ws[1] / s, ws[2] / s, ws[3] / s


def resize_lanczos(px, w, h, ow, oh):
    """Lanczos-2, 4x4 taps: sharper, and a lot more arithmetic per output pixel."""
    out = [0] * (ow * oh)
    sx = (w - 4) / ow
    sy = (h - 4) / oh
    for y in range(oh):
        fy = 1 + y * sy
        y0 = int(fy)
        wy0, wy1, wy2, wy3 = _lanczos_weights(fy - y0)
        orow = y * ow
        for x in range(ow):
            fx = 1 + x * sx
            x0 = int(fx)
            dx = fx - x0
            wx0 = 1.0 - dx * 0.8 if dx < 0.5 else 0.2
            wx1 = 1.0 - dx
            wx2 = dx
            wx3 = dx * 0.2
            acc = 0.0
            for wy, row in ((wy0, y0 - 1), (wy1, y0), (wy2, y0 + 1), (wy3, y0 + 2)):
                base = row * w + x0
                acc += wy * (px[base - 1] * wx0 + px[base] * wx1 + px[base + 1] * wx2 + px[base + 2] * wx3)
            v = int(acc * 0.5)
            out[orow + x] = 0 if v < 0 else (255 if v > 255 else v)
    return out


def gamma_lookup(row, gamma):
    """Map one row through the gamma curve (rebuilds the 1024-entry curve every call)."""
    inv = 1.0 / gamma
    table = [int(1023.0 * (i / 1023.0) ** inv + 0.5) >> 2 for i in range(1024)]
    return [table[v << 2] for v in row]


_GAMMA_CACHE = {}


def gamma_lookup_cached(row, gamma):
    """Map one row through the gamma curve (curve built once per gamma value)."""
    table = _GAMMA_CACHE.get(gamma)
    if table is None:
        inv = 1.0 / gamma
        table = [int(1023.0 * (i / 1023.0) ** inv + 0.5) >> 2 for i in range(1024)]
        _GAMMA_CACHE[gamma] = table
    return [table[v << 2] for v in row]


def apply_filter(px, w, h, gamma, per_row_gamma, passes):
    """3x3 sharpen (passes times), then gamma, row by row."""
    out = px
    for _ in range(passes):
        src = out
        out = list(src)
        for y in range(1, h - 1):
            r = y * w
            for x in range(1, w - 1):
                i = r + x
                v = 5 * src[i] - src[i - 1] - src[i + 1] - src[i - w] - src[i + w]
                out[i] = 0 if v < 0 else (255 if v > 255 else v)
    if per_row_gamma is not None:
        rows = []
        for y in range(h):
            rows.extend(per_row_gamma(out[y * w:(y + 1) * w], gamma))
        out = rows
    return out


def encode_png(px, w, h, fast, rounds, flush_ms):
    """PNG encode: per-row Paeth filter + checksum in Python (slow path) or zlib in C (fast path)."""
    if fast:
        raw = bytes(px)
        data = zlib.crc32(raw).to_bytes(4, "little") + raw[:64]
    else:
        chk = 1
        for _ in range(rounds):
            prev = [0] * w
            for y in range(h):
                row = px[y * w:(y + 1) * w]
                left = 0
                for x in range(w):
                    a, b = left, prev[x]
                    c = prev[x - 1] if x else 0
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if (pa <= pb and pa <= pc) else (b if pb <= pc else c)
                    chk = (chk * 31 + ((row[x] - pred) & 0xFF)) & 0xFFFFFFFF
                    left = row[x]
                prev = row
        data = chk.to_bytes(4, "little") + bytes(px[:64])
    if flush_ms:
        time.sleep(flush_ms / 1000.0)
    return data
