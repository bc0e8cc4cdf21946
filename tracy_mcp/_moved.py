"""Old import paths kept for one release after the package was split into layers (see CHANGELOG, "Changed")."""

from __future__ import annotations

import importlib
import warnings
from typing import Any


def forward(old: str, new: str, name: str) -> Any:
    """Attribute `name` of module `new`, with a DeprecationWarning naming the new path."""
    warnings.warn(f"{old} moved to {new}; import it from there", DeprecationWarning, stacklevel=3)
    return getattr(importlib.import_module(new), name)
