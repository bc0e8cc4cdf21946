"""Arrow arrays over the engine's numpy columns without copying them, for DuckDB to scan.

A numeric column becomes an Arrow array over the same memory (the Arrow buffer keeps the numpy array, and so
the capture, alive). Text becomes a dictionary array: the engine's integer column is the index array as is, the
dictionary is a small list of names (or the capture's whole string pool, itself a view of the engine's bytes).
Index values the dictionary does not cover become nulls, so untrusted data can never make a reader index out of
bounds.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from tracy_mcp.engine.data import CaptureData
from tracy_mcp.engine.strings import StringPool


def view(values: np.ndarray) -> pa.Array:
    """A primitive Arrow array over `values` (no copy; `pa.array` would copy read-only engine memory)."""
    values = np.ascontiguousarray(values)
    if values.dtype == np.bool_:
        return pa.array(values)  # Arrow packs booleans into bits: a copy either way
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values), [None, pa.py_buffer(values)])


def validity(valid: np.ndarray) -> pa.Buffer | None:
    """An Arrow validity bitmap for a boolean mask (None when every row is valid)."""
    if len(valid) == 0 or bool(valid.all()):
        return None
    return pa.py_buffer(np.packbits(valid, bitorder="little"))


def with_nulls(values: np.ndarray, valid: np.ndarray) -> pa.Array:
    """`values` as an Arrow array (no copy of the values) that is null where `valid` is False."""
    values = np.ascontiguousarray(values)
    return pa.Array.from_buffers(
        pa.from_numpy_dtype(values.dtype), len(values), [validity(valid), pa.py_buffer(values)]
    )


def present(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """`values` as an Arrow array (no copy) that is NULL where `valid` is False, by default where the value is
    negative (the engine's "none": -1 for a missing end, thread, pool, ...). Only a validity bitmap is built, and
    only when some value is missing."""
    if valid is None:
        if len(values) == 0 or values.dtype.kind == "u" or int(values.min()) >= 0:
            return view(values)
        valid = values >= 0
    return with_nulls(values, valid)


def labels(codes: np.ndarray, names: Sequence[str | None] | pa.Array) -> pa.DictionaryArray:
    """Text per row as `names[codes]`: a dictionary array whose indices are `codes` itself (no copy) when every
    code indexes `names`; codes outside `names` are null (then the codes are copied once, with a validity mask)."""
    dictionary = names if isinstance(names, pa.Array) else pa.array(list(names), pa.string())
    n = len(dictionary)
    codes = np.ascontiguousarray(codes)
    if codes.dtype.kind not in "iu":
        raise TypeError(f"label codes must be integers, not {codes.dtype}")
    if codes.dtype.kind == "u" and codes.dtype.itemsize >= 4:
        codes = codes.astype(np.int64)  # Arrow readers expect signed indices past 16 bits
    if len(codes) == 0 or ((codes.dtype.kind == "u" or int(codes.min()) >= 0) and int(codes.max()) < n):
        return pa.DictionaryArray.from_arrays(view(codes), dictionary, safe=False)  # range checked above
    ok = (codes >= 0) & (codes < n)
    return pa.DictionaryArray.from_arrays(
        with_nulls(np.where(ok, codes, 0).astype(codes.dtype), ok), dictionary, safe=False
    )


def code_labels(codes: np.ndarray, names: dict[int, str]) -> pa.DictionaryArray:
    """Readable names of one-byte codes (signed or not), the codes themselves as the index array (no copy);
    a code without a name reads "unknown (<n>)", as in the analyses' tables."""
    codes = np.ascontiguousarray(codes)
    if codes.dtype.itemsize != 1:
        raise TypeError(f"code columns are one byte, not {codes.dtype}")
    signed = codes.dtype.kind == "i"
    raw = codes.view(np.uint8)
    top = int(raw.max()) + 1 if len(raw) else 0  # a dictionary only as long as needed: readers convert it whole
    table = []
    for byte in range(top):
        value = byte - 256 if signed and byte >= 128 else byte
        table.append(names.get(value, f"unknown ({value})"))
    return labels(raw, table)


def string_pool(db: CaptureData, strings: StringPool) -> pa.Array:
    """Every string of the capture's pool, indexed by string id, as one Arrow string array. Usually the engine's
    bytes as they are (only the offsets are built); decoded one by one if the pool is not laid out contiguously
    or is not valid UTF-8."""

    def build() -> pa.Array:
        n = db.rows("strings")
        if n == 0:
            return pa.array([], pa.string())
        off = db.col("strings", "offset").astype(np.int64)
        size = db.col("strings", "size").astype(np.int64)
        data = db.col("string_bytes", "data")
        end = off + size
        if off[0] == 0 and np.array_equal(off[1:], end[:-1]) and int(end[-1]) <= len(data):
            small = int(end[-1]) < 2**31
            offsets = np.concatenate([off, end[-1:]]).astype(np.int32 if small else np.int64)
            kind = pa.string() if small else pa.large_string()
            arr = pa.Array.from_buffers(kind, n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])
            try:
                arr.validate(full=True)  # checks UTF-8
                return arr
            except pa.ArrowInvalid:
                pass
        return pa.array([strings.get(i) for i in range(n)], pa.large_string())

    return db.cached("arrow_string_pool", build)


def pool_labels(sids: np.ndarray, db: CaptureData, strings: StringPool) -> pa.DictionaryArray:
    """Text of string ids (-1 / unknown: null) as a dictionary array over the whole string pool."""
    return labels(sids, string_pool(db, strings))


_row_ids_lock = threading.Lock()


def row_ids(db: CaptureData, n: int) -> np.ndarray:
    """0..n-1 (int32, int64 past 2**31 rows): views of one cached array, so every table's `id` shares it."""
    have: list[np.ndarray] = db.cached("row_ids", list)
    with _row_ids_lock:
        if not have or len(have[0]) < n:
            have[:] = [np.arange(n, dtype=np.int32 if n < 2**31 else np.int64)]
        return have[0][:n]
