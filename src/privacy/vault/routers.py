"""Route the key store to its own database, apart from the data it protects."""

from __future__ import annotations

from typing import Any

KEYSTORE_APP = "vault"
KEYSTORE_DB = "keys"


class KeyStoreRouter:
    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        return KEYSTORE_DB if model._meta.app_label == KEYSTORE_APP else "default"

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        return KEYSTORE_DB if model._meta.app_label == KEYSTORE_APP else "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return (obj1._meta.app_label == KEYSTORE_APP) == (obj2._meta.app_label == KEYSTORE_APP)

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        if app_label == KEYSTORE_APP:
            return db == KEYSTORE_DB
        return db == "default"
