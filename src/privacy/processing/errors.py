"""The purpose gates' refusals, importable without loading any model (privacy.api re-exports them)."""

from __future__ import annotations


class ProcessingError(ValueError):
    """An action refused. `code` is stable (tests, the API); the message is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class UnknownPurpose(ProcessingError):
    """A purpose the declaration does not define; the message names it."""

    def __init__(self, purpose: str, known: list[str]) -> None:
        super().__init__(
            "unknown_purpose", f"Unknown purpose {purpose!r}; the declaration defines: {', '.join(known)}"
        )
        self.purpose = purpose
