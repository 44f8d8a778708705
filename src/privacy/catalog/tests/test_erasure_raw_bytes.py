"""Erasure is real: after restoring a backup taken before the erasure, nothing of the subject
can be read from the raw bytes of the databases or the upload folder, and replay deletes
the rows that came back.

How the copies are taken. On SQLite the test databases are in memory (pytest-django's
default), so there is no file to `cp`; the sqlite3 backup API copies the database page by
page into a file — the same bytes SQLite writes to disk, free pages included, and a
consistent snapshot even while a connection is open. The same API restores the copy into
the live connection, and dumps the live databases to files so that their bytes can be
scanned. This works unchanged if the test databases are files.

On PostgreSQL the server's data files are not ours to read, so the copy is a plain-format
`pg_dump` of the test database (its bytes are scanned) and the restore is `psql` of that
dump with --clean; the live database is scanned through a fresh dump. Without pg_dump and
psql that part is skipped (a failure under CI=true).

A positive control keeps the scan honest: a value stored in plain text (a not-personal
field) must be found in the very bytes in which the personal values are not.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connections, models
from django.test.utils import isolate_apps

from privacy.catalog.declarations import not_personal
from privacy.catalog.erasure import ErasureReport, erase_subject, replay_erasures
from privacy.catalog.registry import Catalog, using_catalog
from privacy.catalog.tests.sample_declaration import sample_policy
from privacy.vault.blind_index import BlindIndexField, normalize_email
from privacy.vault.errors import SubjectErased
from privacy.vault.fields import EncryptedCharField, EncryptedTextField
from privacy.vault.file_fields import EncryptedFileField
from privacy.vault.keys import clear_key_cache, has_data_key
from privacy.vault.models import SubjectKey
from privacy.vault.personal_model import PersonalModel

pytestmark = pytest.mark.django_db(databases=["default", "keys"], transaction=True)

with isolate_apps("privacy.catalog") as raw_apps:

    class Patron(PersonalModel):
        subject_id = models.UUIDField(default=uuid.uuid4, unique=True)
        name = EncryptedCharField(max_length=100, category="user.name", context="registration")
        email = EncryptedCharField(max_length=200, category="user.contact.email", context="registration")
        email_index = BlindIndexField(source="email", normalizer=normalize_email)
        phone = EncryptedCharField(
            max_length=40, category="user.contact.phone_number", context="registration"
        )
        plan = not_personal(models.CharField(max_length=40), reason="a product tier")

        privacy_subject = "self"

        class Meta:
            app_label = "catalog"
            db_table = "catalog_raw_patron"

        def __str__(self) -> str:
            return f"patron {self.pk}"

    class Drawing(PersonalModel):
        patron = models.ForeignKey(Patron, on_delete=models.CASCADE)
        caption = EncryptedTextField(category="user.content.chat", context="chat")
        upload = EncryptedFileField(category="user.content", context="chat")

        privacy_subject = "patron"

        class Meta:
            app_label = "catalog"
            db_table = "catalog_raw_drawing"

        def __str__(self) -> str:
            return f"drawing {self.pk}"


NAME = "Zeynep Kaya-Lindqvist"
EMAIL = "Zeynep.Kaya@example.net"
PHONE = "+46 70 123 45 67"
MARKER = "MARKER-6b1f-inside-the-uploaded-file"
CAPTION = "bracket for the left hinge, zeynep's design"
SECRETS = [NAME, EMAIL, EMAIL.lower(), PHONE, "46701234567", MARKER, CAPTION]
CANARY = "plan-canary-d41c9e"  # stored in plain text on purpose: the scan must find it


def _forms(needle: str) -> list[bytes]:
    """The ways a string can sit in a file: UTF-8, UTF-16 (SQLite's other text encoding), hex (bytea)."""
    raw = needle.encode()
    return [raw, needle.encode("utf-16-le"), raw.hex().encode()]


def _files(*places: Path) -> list[Path]:
    found: list[Path] = []
    for place in places:
        found.extend(
            sorted(path for path in place.rglob("*") if path.is_file()) if place.is_dir() else [place]
        )
    return found


def _readable(needles: list[str], *places: Path) -> dict[str, list[str]]:
    """Which needles occur in the raw bytes of which files."""
    found: dict[str, list[str]] = {}
    for path in _files(*places):
        data = path.read_bytes()
        for needle in needles:
            if any(form in data for form in _forms(needle)):
                found.setdefault(needle, []).append(path.name)
    return found


# --- Copy and restore, per database engine ----------------------------------------------


def _pg_env(alias: str) -> dict[str, str]:
    settings = connections[alias].settings_dict
    env = dict(os.environ)
    env.update(
        PGHOST=str(settings.get("HOST") or "localhost"),
        PGPORT=str(settings.get("PORT") or "5432"),
        PGUSER=str(settings.get("USER") or ""),
        PGPASSWORD=str(settings.get("PASSWORD") or ""),
        PGDATABASE=str(settings["NAME"]),
    )
    return env


def _require_pg_tools() -> None:
    if shutil.which("pg_dump") and shutil.which("psql"):
        return
    if os.environ.get("CI") == "true":
        pytest.fail(
            "pg_dump and psql are required under CI=true to copy and restore PostgreSQL", pytrace=False
        )
    pytest.skip("pg_dump and psql are not installed: the PostgreSQL copy and restore cannot be shown")


def copy_database(alias: str, path: Path) -> Path:
    """A copy of the whole database in `path`: a SQLite database file, or a pg_dump script."""
    connection = connections[alias]
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        _require_pg_tools()
        subprocess.run(
            ["pg_dump", "--clean", "--if-exists", "--no-owner", "--file", str(path)],
            env=_pg_env(alias),
            check=True,
            capture_output=True,
        )
    else:
        pytest.skip(f"no copy and restore written for {connection.vendor}")
    return path


def restore_database(alias: str, path: Path) -> None:
    """Replace the live database with the copy, as an operator restoring a backup would."""
    connection = connections[alias]
    if connection.vendor == "sqlite":
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        connection.close()  # psql drops and recreates the tables; reconnect afterwards
        subprocess.run(
            [
                "psql",
                "--quiet",
                "--no-psqlrc",
                "-v",
                "ON_ERROR_STOP=1",
                "--single-transaction",
                "-f",
                str(path),
            ],
            env=_pg_env(alias),
            check=True,
            capture_output=True,
        )


# --- The world --------------------------------------------------------------------------


@pytest.fixture
def raw_world(vault_keys: Path) -> Iterator[Catalog]:
    raw_models = [Patron, Drawing]
    with connections["default"].schema_editor() as editor:
        for model in raw_models:
            editor.create_model(model)
    try:
        with using_catalog(Catalog(raw_apps.get_models(), sample_policy())) as catalog:
            yield catalog
    finally:
        with connections["default"].schema_editor() as editor:
            for model in reversed(raw_models):
                editor.delete_model(model)


def _patron(name: str, email: str, phone: str, plan: str, upload: bytes, caption: str) -> Patron:
    patron = Patron(name=name, email=email, phone=phone, plan=plan)
    patron.save()
    drawing = Drawing(patron=patron, caption=caption, upload=ContentFile(upload, name="drawing.stl"))
    drawing.save()
    return patron


@pytest.mark.commitment("C31")
def test_a_restored_backup_holds_nothing_readable_and_replay_deletes_what_came_back(
    raw_world: Catalog, tmp_path: Path, settings: Any
) -> None:
    uploads = Path(settings.MEDIA_ROOT)
    backups, scans = tmp_path / "backups", tmp_path / "scans"
    backups.mkdir()
    scans.mkdir()
    # Given a subject with encrypted fields and an uploaded file of several chunks, and a bystander.
    upload = b"solid " * 30_000 + MARKER.encode() + b" facet " * 30_000
    zeynep = _patron(NAME, EMAIL, PHONE, CANARY, upload, CAPTION)
    bob = _patron(
        "Bob Builder", "bob@example.org", "+44 20 7946 0999", "basic", b"bob's part", "bob's caption"
    )
    subject = zeynep.subject_id
    wrapped_key = bytes(SubjectKey.objects.get(subject_id=subject).wrapped)
    # ... and a backup of the data and of the upload folder, taken before the erasure.
    data_copy = copy_database("default", backups / "data-copy")
    shutil.copytree(uploads, backups / "uploads")

    # When the subject is erased, and then the data and the uploads are restored from the backup.
    report = erase_subject(subject, reason="rights request 12", actor="staff:officer")
    assert report == ErasureReport(
        subject_id=subject,
        key_destroyed=True,
        deleted={"catalog.Drawing": 1, "catalog.Patron": 1},
        files_deleted=1,
    )
    restore_database("default", data_copy)
    shutil.rmtree(uploads)
    shutil.copytree(backups / "uploads", uploads)
    clear_key_cache()

    # Then the rows and the file are back, but nothing of them can be opened: the key is gone.
    restored = Patron.objects.get(subject_id=subject)
    drawing = Drawing.objects.get(patron=restored)
    with pytest.raises(SubjectErased):
        _ = restored.email
    with pytest.raises(SubjectErased):
        _ = drawing.caption
    with pytest.raises(SubjectErased), drawing.upload.open() as reader:
        reader.read()
    assert not has_data_key(subject)
    # ... and no byte of the backup, the live databases or the upload folder shows any of it.
    live_data = copy_database("default", scans / "data-live")
    live_keys = copy_database("keys", scans / "keys-live")
    assert _readable(SECRETS, data_copy, live_data, live_keys, uploads) == {}
    assert _readable([CANARY], data_copy, live_data) == {CANARY: ["data-copy", "data-live"]}
    keys_bytes = live_keys.read_bytes()
    assert wrapped_key not in keys_bytes
    assert wrapped_key.hex().encode() not in keys_bytes  # as pg_dump writes a bytea

    # When the journal is replayed.
    [replayed] = replay_erasures()

    # Then the rows and the file that came back are deleted again; the bystander is untouched.
    assert replayed == ErasureReport(
        subject_id=subject,
        key_destroyed=False,
        deleted={"catalog.Drawing": 1, "catalog.Patron": 1},
        files_deleted=1,
    )
    assert not Patron.objects.filter(subject_id=subject).exists()
    assert not Drawing.objects.filter(patron__subject_id=subject).exists()
    assert len(_files(uploads / "vault")) == 1
    bob_now = Patron.objects.get(subject_id=bob.subject_id)
    assert (bob_now.email, Drawing.objects.get(patron=bob_now).caption) == (
        "bob@example.org",
        "bob's caption",
    )
