"""wrrtrack: a ledger of government follow-up on policy advice.

The public API is importable from here; heavy modules load only when first used, so that
`wrrtrack --version` and piped `wrrtrack list` stay quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Filter",
    "LockTimeout",
    "Problem",
    "ReadOnlyRegistry",
    "Recommendation",
    "Registry",
    "RegistryInvalid",
    "RegistryNotFound",
    "StatusChange",
    "UnknownRecommendation",
    "WrrtrackError",
    "__version__",
]

if TYPE_CHECKING:
    from wrrtrack.errors import (
        LockTimeout,
        Problem,
        ReadOnlyRegistry,
        RegistryInvalid,
        RegistryNotFound,
        UnknownRecommendation,
        WrrtrackError,
    )
    from wrrtrack.model import Filter, Recommendation, StatusChange
    from wrrtrack.registry import Registry

_HOMES = {
    "Registry": "wrrtrack.registry",
    "Filter": "wrrtrack.model",
    "Recommendation": "wrrtrack.model",
    "StatusChange": "wrrtrack.model",
}


def __getattr__(name: str) -> Any:
    import importlib

    if name in __all__ and name != "__version__":
        module = importlib.import_module(_HOMES.get(name, "wrrtrack.errors"))
        return getattr(module, name)
    raise AttributeError(f"module 'wrrtrack' has no attribute {name!r}")
