"""The capture API that `eval` code sees as ``ctx``: :class:`Capture` (analysis/capture.py), built from small query
mixins (one module per domain: zones, frames, gpu, events, memory, locks, sampling, ...), the answer-shaped analyses
(one module each, wired in through answers.py), result classes (results.py) and columnar helpers (columnar.py).

A new query goes into the mixin of its domain; a new analysis into a module of its own plus one method in answers.py.
"""
