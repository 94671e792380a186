"""Turn results holding numpy values into plain JSON-safe Python objects."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np


def to_jsonable(obj: Any) -> Any:
    """``obj`` with numpy scalars/arrays as Python numbers/lists and NaN/inf as None."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return to_jsonable(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def dumps(obj: Any) -> str:
    """Indented JSON text of ``obj`` (see to_jsonable)."""
    return json.dumps(to_jsonable(obj), indent=2, sort_keys=False)
