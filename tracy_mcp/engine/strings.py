"""The capture's string pool: every text column elsewhere is an int32 id into table ``strings``.

Strings are decoded lazily, one id at a time, and cached.
"""

from __future__ import annotations

import numpy as np

from tracy_mcp.engine.data import CaptureData

_BLOB_LIMIT = 64 << 20  # bytes of the pool copied at once to decode many texts


class StringPool:
    def __init__(self, db: CaptureData) -> None:
        self._db = db
        self._decoded: dict[int, str] = {}

    def __len__(self) -> int:
        return self._db.rows("strings")

    def get(self, sid: int, default: str = "") -> str:
        """Text of string id `sid` ("" / default for -1 or out of range)."""
        sid = int(sid)
        s = self._decoded.get(sid)
        if s is not None:
            return s
        if sid < 0 or sid >= len(self):
            return default
        off = int(self._db.col("strings", "offset")[sid])
        size = int(self._db.col("strings", "size")[sid])
        raw = self._db.col("string_bytes", "data")[off : off + size]
        s = raw.tobytes().decode("utf-8", "replace")
        self._decoded[sid] = s
        return s

    def texts(self, ids: list[int], default: str = "") -> list[str]:
        """Texts of a list of ids, as get() gives them; the ids not decoded yet are decoded in one go (the
        columns fetched once, not per id: a table with tens of thousands of distinct texts)."""
        n = len(self)
        missing = [i for i in set(ids) if 0 <= i < n and i not in self._decoded]
        if missing:
            self._decoded.update(zip(missing, self.decode(np.asarray(missing, np.int64)), strict=True))
        decoded = self._decoded
        return [decoded.get(i, default) if 0 <= i < n else default for i in ids]

    def decode(self, ids: np.ndarray, default: str = "") -> list[str]:
        """Texts of an array of ids, decoded in one go and not cached (for many distinct ids read once, e.g. the
        labels of a categorical); `default` for ids out of range."""
        n = len(self)
        ids = np.asarray(ids, np.int64)
        known = (ids >= 0) & (ids < n)
        safe = np.where(known, ids, 0)
        if not known.any():
            return [default] * len(ids)
        offsets = self._db.col("strings", "offset")[safe].astype(np.int64)
        ends = offsets + self._db.col("strings", "size")[safe]
        data = self._db.col("string_bytes", "data")
        lo, hi = int(offsets[known].min()), int(ends[known].max())
        if hi - lo <= _BLOB_LIMIT:  # one bytes object sliced: several times faster than numpy slices
            blob = data[lo:hi].tobytes()
            # ASCII (the usual case): byte offsets are character offsets, so the whole span is decoded once
            text: str | bytes = blob.decode("ascii") if blob.isascii() else blob
            pairs = zip((offsets - lo).tolist(), (ends - lo).tolist(), strict=True)
            if isinstance(text, str):
                out = [text[a:b] for a, b in pairs]
            else:
                out = [text[a:b].decode("utf-8", "replace") for a, b in pairs]
        else:
            pairs = zip(offsets.tolist(), ends.tolist(), strict=True)
            out = [data[a:b].tobytes().decode("utf-8", "replace") for a, b in pairs]
        if not known.all():
            for i in np.nonzero(~known)[0].tolist():
                out[i] = default
        return out

    def many(self, ids: np.ndarray) -> list[str]:
        """Texts of many ids; each distinct id is decoded once."""
        ids = np.asarray(ids)
        if len(ids) < 64:
            return [self.get(i) for i in ids.tolist()]
        uniq, inv = np.unique(ids, return_inverse=True)
        texts = self.texts(uniq.tolist())
        return [texts[i] for i in inv.ravel().tolist()]
