"""wrrtrack: a ledger of government follow-up on policy advice.

The public API is importable from here, and only from here: the modules whose names start
with `_` are private and may change. Heavy modules load only when first used, so that
`wrrtrack --version` and piped `wrrtrack list` stay quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "AdviceReport",
    "ConfigError",
    "EntryAdded",
    "EvidenceRefused",
    "Filter",
    "InvalidChange",
    "Label",
    "Ledger",
    "Location",
    "LockTimeout",
    "OutputRefused",
    "Problem",
    "Reaction",
    "ReadOnlyRegistry",
    "Recommendation",
    "RecommendationEdit",
    "RecordChange",
    "Registry",
    "RegistryChanges",
    "RegistryInvalid",
    "RegistryNotFound",
    "ReportChange",
    "Source",
    "SourceChange",
    "SourceRefused",
    "SourceUpdate",
    "StatusChange",
    "StatusUpdate",
    "Term",
    "UnknownRecommendation",
    "UnknownTerm",
    "Validation",
    "Vocabularies",
    "Vocabulary",
    "WorkingDirectoryGone",
    "WrrtrackError",
    "__version__",
]

if TYPE_CHECKING:
    from wrrtrack._changes import (
        EntryAdded,
        RecordChange,
        RegistryChanges,
        ReportChange,
        SourceChange,
    )
    from wrrtrack._errors import (
        ConfigError,
        EvidenceRefused,
        InvalidChange,
        Location,
        LockTimeout,
        OutputRefused,
        Problem,
        ReadOnlyRegistry,
        RegistryInvalid,
        RegistryNotFound,
        SourceRefused,
        UnknownRecommendation,
        UnknownTerm,
        WorkingDirectoryGone,
        WrrtrackError,
    )
    from wrrtrack._model import (
        AdviceReport,
        Filter,
        Label,
        Ledger,
        Reaction,
        Recommendation,
        Source,
        StatusChange,
        StatusUpdate,
    )
    from wrrtrack._registry import RecommendationEdit, Registry, SourceUpdate, Validation
    from wrrtrack._vocabulary import Term, Vocabularies, Vocabulary

# Where each name lives; every other name of __all__ is an exception in wrrtrack._errors.
_HOMES = {
    "Registry": "wrrtrack._registry",
    "RecommendationEdit": "wrrtrack._registry",
    "SourceUpdate": "wrrtrack._registry",
    "Validation": "wrrtrack._registry",
    "RegistryChanges": "wrrtrack._changes",
    "RecordChange": "wrrtrack._changes",
    "EntryAdded": "wrrtrack._changes",
    "SourceChange": "wrrtrack._changes",
    "ReportChange": "wrrtrack._changes",
    "AdviceReport": "wrrtrack._model",
    "Filter": "wrrtrack._model",
    "Label": "wrrtrack._model",
    "Ledger": "wrrtrack._model",
    "Reaction": "wrrtrack._model",
    "Recommendation": "wrrtrack._model",
    "Source": "wrrtrack._model",
    "StatusChange": "wrrtrack._model",
    "StatusUpdate": "wrrtrack._model",
    "Term": "wrrtrack._vocabulary",
    "Vocabularies": "wrrtrack._vocabulary",
    "Vocabulary": "wrrtrack._vocabulary",
}


def __getattr__(name: str) -> Any:
    import importlib

    if name in __all__ and name != "__version__":
        module = importlib.import_module(_HOMES.get(name, "wrrtrack._errors"))
        return getattr(module, name)
    raise AttributeError(f"module 'wrrtrack' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
