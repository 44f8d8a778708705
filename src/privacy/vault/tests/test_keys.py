from __future__ import annotations

import base64
import os
import stat
import uuid
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError

from privacy.audit.models import AuditEvent
from privacy.vault.actions import rotate_master_key
from privacy.vault.errors import SubjectErased
from privacy.vault.journal import (
    journal_erasure,
    journaled_subjects,
    mark_erasure_complete,
    pending_erasures,
)
from privacy.vault.keyring import (
    add_development_master_key,
    fingerprint_id,
    index_key,
    master_keyring,
    parse_keyring,
    reset_keyrings,
)
from privacy.vault.keys import clear_key_cache, data_key, destroy_subject_key
from privacy.vault.models import SubjectKey
from privacy.vault.queries import master_key_use
from privacy.vault.tests.models import Customer

KEYS_DB = pytest.mark.django_db(databases=["default", "keys"])


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


# --- master and index keys --------------------------------------------------------------


def test_development_creates_a_master_key_file_once_and_says_so(
    vault_keys: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keyring = master_keyring()

    path = vault_keys / "master.key"
    assert f"Created development master key at {path}" in capsys.readouterr().err
    assert keyring.source == str(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(keyring.current.key) == 32
    reset_keyrings()
    assert master_keyring() == keyring
    assert capsys.readouterr().err == ""


def test_development_creates_a_separate_index_key(vault_keys: Path) -> None:
    assert index_key() != master_keyring().current.key
    assert (vault_keys / "index.key").exists()


def test_production_never_creates_a_key(settings: Any, vault_keys: Path) -> None:
    settings.PRODUCTION = True

    with pytest.raises(ImproperlyConfigured, match=r"PLEDGE_MASTER_KEY is not set\. Production never"):
        master_keyring()
    with pytest.raises(ImproperlyConfigured, match="PLEDGE_INDEX_KEY is not set"):
        index_key()
    assert not vault_keys.exists()


def test_production_reads_the_keyring_from_the_environment(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.PRODUCTION = True
    new, old = os.urandom(32), os.urandom(32)
    monkeypatch.setenv("PLEDGE_MASTER_KEY", f"k2:{_b64(new)}, k1:{_b64(old)}")

    keyring = master_keyring()

    assert keyring.source == "environment"
    assert [key.id for key in keyring.keys] == ["k2", "k1"]
    assert keyring.current.key == new
    older = keyring.get("k1")
    assert older is not None
    assert older.key == old


def test_a_single_key_is_named_by_its_fingerprint() -> None:
    key = os.urandom(32)

    (parsed,) = parse_keyring(_b64(key))

    assert parsed.id == fingerprint_id(key)
    assert parsed.id.startswith("fp-")
    assert len(parsed.id) == 15
    assert _b64(key) not in repr(parsed)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("not base64!", "not valid base64"),
        (_b64(b"short"), "must decode to 32 bytes, not 5"),
        (f"a:{_b64(bytes(32))},a:{_b64(bytes(32))}", "appears twice"),
        (f"bad id:{_b64(bytes(32))},b:{_b64(bytes(32))}", "must be 'id:base64key'"),
    ],
)
def test_a_malformed_keyring_is_refused(text: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_keyring(text)


# --- data keys, destruction, the journal ------------------------------------------------


@KEYS_DB
def test_a_data_key_is_made_on_first_use_and_only_with_create() -> None:
    subject = uuid.uuid4()

    with pytest.raises(SubjectErased, match="no key was ever stored or it was destroyed"):
        data_key(subject)
    made = data_key(subject, create=True)

    clear_key_cache()
    assert data_key(subject).key == made.key
    assert SubjectKey.objects.filter(subject_id=subject).count() == 1


@KEYS_DB
def test_destroying_a_key_is_idempotent_and_evicts_the_cache() -> None:
    subject = uuid.uuid4()
    data_key(subject, create=True)

    assert destroy_subject_key(subject) is True
    assert destroy_subject_key(subject) is False
    with pytest.raises(SubjectErased):
        data_key(subject)
    assert not SubjectKey.objects.filter(subject_id=subject).exists()


@KEYS_DB
def test_the_erasure_journal_records_and_completes_entries() -> None:
    subject, other = uuid.uuid4(), uuid.uuid4()

    first = journal_erasure(subject, "rights request 7")
    second = journal_erasure(other, "rights request 8")
    mark_erasure_complete(first)
    completed_at = first.completed_at
    mark_erasure_complete(first)

    assert [entry.subject_id for entry in journaled_subjects()] == [subject, other]
    assert [entry.pk for entry in pending_erasures()] == [second.pk]
    assert first.completed_at == completed_at
    assert journaled_subjects()[0].reason == "rights request 7"


# --- rotation ---------------------------------------------------------------------------


class Interrupted(Exception):
    pass


def _subjects_with_keys(count: int) -> list[uuid.UUID]:
    subjects = [uuid.uuid4() for _ in range(count)]
    for subject in subjects:
        data_key(subject, create=True)
    return subjects


@KEYS_DB
@pytest.mark.usefixtures("vault_tables")
def test_rotation_resumes_after_an_interruption_and_leaves_data_readable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    customer = Customer.objects.create(email="ann@example.com", name="Ann")
    _subjects_with_keys(4)
    old = master_keyring().current
    new = add_development_master_key()
    assert [key.id for key in master_keyring().keys] == [new.id, old.id]

    def stop_after_first_batch(done: int, total: int) -> None:
        if done >= 2:
            raise Interrupted

    with pytest.raises(Interrupted):
        rotate_master_key(batch_size=2, progress=stop_after_first_batch)

    assert SubjectKey.objects.filter(master_key_id=new.id).count() == 2
    assert SubjectKey.objects.filter(master_key_id=old.id).count() == 3
    result = rotate_master_key(batch_size=2)
    assert (result.master_key_id, result.rewrapped, result.remaining) == (new.id, 3, 0)
    assert set(SubjectKey.objects.values_list("master_key_id", flat=True)) == {new.id}

    # The old master key is no longer needed: only the new one opens the data.
    monkeypatch.setenv("PLEDGE_MASTER_KEY", f"{new.id}:{_b64(new.key)}")
    reset_keyrings()
    clear_key_cache()
    assert Customer.objects.get(pk=customer.pk).email == "ann@example.com"
    event = AuditEvent.objects.get(action="vault.keys.rotated")
    assert event.details == {"rewrapped": 3}


@KEYS_DB
def test_rotation_with_nothing_to_do_changes_nothing() -> None:
    _subjects_with_keys(2)
    before = list(SubjectKey.objects.order_by("pk").values_list("wrapped", flat=True))

    result = rotate_master_key()

    assert (result.rewrapped, result.remaining) == (0, 0)
    assert [bytes(w) for w in SubjectKey.objects.order_by("pk").values_list("wrapped", flat=True)] == [
        bytes(w) for w in before
    ]
    assert not AuditEvent.objects.filter(action="vault.keys.rotated").exists()


@KEYS_DB
def test_keys_rotate_new_master_and_status_commands() -> None:
    _subjects_with_keys(3)
    old = master_keyring().current.id
    out = StringIO()

    call_command("keys", "rotate", "--new-master", "--quiet", "--batch-size", "2", stdout=out)

    new = master_keyring().current.id
    assert new != old
    assert f"New master key {new} is first in" in out.getvalue()
    assert f"3 data keys re-wrapped under {new}; 0 remain under other keys." in out.getvalue()
    status = StringIO()
    call_command("keys", "status", stdout=status)
    lines = status.getvalue().splitlines()
    assert f"  {new}: 3 data keys  (current)" in lines
    assert (
        f"  {old}: 0 data keys  (wraps nothing; may be removed once no backup of the key store needs it)"
        in lines
    )
    assert "Pending erasures: 0" in lines
    assert [(use.master_key_id, use.data_keys, use.current) for use in master_key_use()] == [
        (new, 3, True),
        (old, 0, False),
    ]


@KEYS_DB
def test_new_master_is_refused_when_keys_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLEDGE_MASTER_KEY", _b64(os.urandom(32)))
    reset_keyrings()

    with pytest.raises(CommandError, match="--new-master only edits the development key file"):
        call_command("keys", "rotate", "--new-master", "--quiet", stdout=StringIO())


@KEYS_DB
def test_rotation_stops_with_a_clear_error_when_a_master_key_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _subjects_with_keys(1)
    monkeypatch.setenv("PLEDGE_MASTER_KEY", f"only-new:{_b64(os.urandom(32))}")
    reset_keyrings()

    with pytest.raises(CommandError, match=r"which the keyring .* does not hold"):
        call_command("keys", "rotate", "--quiet", stdout=StringIO())
    assert not SubjectKey.objects.filter(master_key_id="only-new").exists()


def test_keys_rotate_help_explains_resuming(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        call_command("keys", "rotate", "--help")

    shown = capsys.readouterr().out
    assert "Re-wrap every subject's data key under the current master key" in shown
    assert "run it\nagain and it continues" in shown
    assert "--new-master" in shown
