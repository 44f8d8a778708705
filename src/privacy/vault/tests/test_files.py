from __future__ import annotations

import io
import os
import tracemalloc
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import RequestFactory

from privacy.vault.errors import CiphertextCorrupted, SubjectErased
from privacy.vault.file_format import CHUNK_SIZE, EncryptedFileReader, encrypt_stream
from privacy.vault.files import (
    EncryptedFile,
    LocalFileStore,
    MemoryFileStore,
    delete_file,
    open_file,
    save_file,
    using_file_store,
)
from privacy.vault.keys import destroy_subject_key
from privacy.vault.responses import content_disposition, encrypted_file_response, parse_range
from privacy.vault.tests.models import Customer, Order

pytestmark = pytest.mark.django_db(databases=["default", "keys"])

SMALL = 16  # a small chunk size, so that boundaries are easy to hit
DATA = bytes(range(256)) * 4 + b"tail"  # 1028 bytes: 64 full chunks of 16 and one of 4


def _chunks_of(stored: bytes, header_length: int, chunk_size: int = SMALL) -> list[bytes]:
    body = stored[header_length:]
    step = chunk_size + 16
    return [body[i : i + step] for i in range(0, len(body), step)]


def _header_length(store: MemoryFileStore, ref: EncryptedFile) -> int:
    stored, length = store.open(ref.id)
    with EncryptedFileReader(stored, length, file_id=ref.id) as reader:
        return len(reader._header_bytes)


@pytest.mark.parametrize("size", [0, 1, SMALL - 1, SMALL, SMALL + 1, 3 * SMALL, 3 * SMALL + 5])
def test_files_of_any_size_round_trip(store: MemoryFileStore, size: int) -> None:
    subject = uuid.uuid4()
    data = os.urandom(size)

    ref = save_file(subject, data, chunk_size=SMALL)

    assert ref.size == size
    with open_file(ref.id, expected_size=size) as reader:
        assert reader.size == size
        assert reader.chunk_count == max(1, -(-size // SMALL))
        assert b"".join(reader.iter_range()) == data
    assert size < 8 or data not in store.files[ref.id]  # (a byte or two may occur by chance)


def test_sources_may_be_streams_or_iterables(store: MemoryFileStore) -> None:
    subject = uuid.uuid4()

    from_stream = save_file(subject, io.BytesIO(DATA), chunk_size=SMALL)
    from_pieces = save_file(subject, iter([DATA[:5], DATA[5:700], DATA[700:]]), chunk_size=SMALL)

    assert b"".join(from_stream.chunks()) == DATA
    assert b"".join(from_pieces.chunks()) == DATA
    assert from_stream.id != from_pieces.id


def test_range_reads_decrypt_only_the_chunks_that_cover_them(
    store: MemoryFileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = save_file(uuid.uuid4(), DATA, chunk_size=SMALL)
    reader = open_file(ref.id)
    opened: list[int] = []
    original = EncryptedFileReader._chunk

    def spy(self: EncryptedFileReader, index: int, *, final: bool | None = None) -> bytes:
        opened.append(index)
        return original(self, index, final=final)

    monkeypatch.setattr(EncryptedFileReader, "_chunk", spy)

    assert reader.read_range(32, 48) == DATA[32:48]  # exactly chunk 2
    assert opened == [2]
    opened.clear()
    assert reader.read_range(31, 49) == DATA[31:49]  # one byte into each neighbour
    assert opened == [1, 2, 3]
    opened.clear()
    assert reader.read_range(1024, 1028) == DATA[1024:]  # the short final chunk
    assert opened == [64]
    reader.close()


def test_every_range_of_a_small_file_reads_back_exactly(store: MemoryFileStore) -> None:
    data = os.urandom(3 * SMALL + 3)
    ref = save_file(uuid.uuid4(), data, chunk_size=SMALL)

    with ref.open() as reader:
        for start in range(len(data) + 1):
            for end in range(start, len(data) + 1):
                assert reader.read_range(start, end) == data[start:end], (start, end)


def test_a_truncated_file_is_refused(store: MemoryFileStore) -> None:
    ref = save_file(uuid.uuid4(), DATA, chunk_size=SMALL)
    stored = store.files[ref.id]
    chunk = SMALL + 16

    store.files[ref.id] = stored[: len(stored) - 4 - 16]  # the final chunk dropped, at a boundary
    with pytest.raises(CiphertextCorrupted, match="truncated: its last chunk is not final"):
        open_file(ref.id)
    store.files[ref.id] = stored[: len(stored) - 4 - 16 - chunk // 2]  # cut inside a chunk
    with pytest.raises(CiphertextCorrupted):
        open_file(ref.id)


def test_reordered_chunks_are_refused(store: MemoryFileStore) -> None:
    ref = save_file(uuid.uuid4(), DATA, chunk_size=SMALL)
    header = store.files[ref.id][: _header_length(store, ref)]
    chunks = _chunks_of(store.files[ref.id], len(header))
    chunks[1], chunks[2] = chunks[2], chunks[1]
    store.files[ref.id] = header + b"".join(chunks)

    with open_file(ref.id) as reader:
        assert reader.read_range(0, 16) == DATA[:16]
        with pytest.raises(CiphertextCorrupted, match="chunk 1 fails authentication"):
            reader.read_range(16, 32)


def test_a_chunk_spliced_from_another_file_is_refused(store: MemoryFileStore) -> None:
    subject = uuid.uuid4()
    first = save_file(subject, DATA, chunk_size=SMALL)
    second = save_file(subject, DATA, chunk_size=SMALL)
    header_length = _header_length(store, first)
    foreign = _chunks_of(store.files[second.id], header_length)
    chunks = _chunks_of(store.files[first.id], header_length)
    chunks[3] = foreign[3]
    store.files[first.id] = store.files[first.id][:header_length] + b"".join(chunks)

    with first.open() as reader, pytest.raises(CiphertextCorrupted, match="chunk 3"):
        reader.read_range(48, 64)


def test_an_altered_header_is_refused(store: MemoryFileStore) -> None:
    ref = save_file(uuid.uuid4(), DATA, chunk_size=SMALL, owner="a.b.c:1")
    stored = bytearray(store.files[ref.id])
    stored[_header_length(store, ref) - 1] ^= 1  # the last byte of the owner

    store.files[ref.id] = bytes(stored)
    with pytest.raises(CiphertextCorrupted):
        open_file(ref.id)


def test_a_file_stored_under_another_id_or_owner_is_refused(store: MemoryFileStore) -> None:
    ref = save_file(uuid.uuid4(), DATA, chunk_size=SMALL, owner="orders.order.model_file:1")
    other = uuid.uuid4()
    store.files[other] = store.files[ref.id]

    with pytest.raises(CiphertextCorrupted, match="content of another file"):
        open_file(other)
    with pytest.raises(CiphertextCorrupted, match="belongs to another row or field"):
        open_file(ref.id, owner="orders.order.model_file:2")
    with pytest.raises(CiphertextCorrupted, match="does not have the size recorded"):
        open_file(ref.id, expected_size=ref.size + 1)


def test_a_file_of_an_erased_subject_cannot_be_opened(store: MemoryFileStore) -> None:
    subject = uuid.uuid4()
    ref = save_file(subject, DATA)

    destroy_subject_key(subject)

    with pytest.raises(SubjectErased):
        open_file(ref.id)


def test_delete_file_is_idempotent(store: MemoryFileStore) -> None:
    ref = save_file(uuid.uuid4(), DATA)

    assert delete_file(ref.id) is True
    assert delete_file(ref.id) is False
    with pytest.raises(CiphertextCorrupted, match="missing from the file store"):
        open_file(ref.id)


def test_the_local_store_names_files_by_random_id_only(tmp_path: Path) -> None:
    local = LocalFileStore(tmp_path / "vault")
    marker = b"MARKER-ann@example.com-" * 100
    with using_file_store(local):
        ref = save_file(uuid.uuid4(), marker, owner="vault_tests.order.model_file:x")

        path = local.path(ref.id)
        assert path == tmp_path / "vault" / ref.id.hex[:2] / ref.id.hex
        assert path.stat().st_mode & 0o777 == 0o600
        assert b"MARKER" not in path.read_bytes()
        assert [p.name for p in path.parent.iterdir()] == [ref.id.hex]  # no partial file left behind
        assert b"".join(ref.chunks()) == marker
        assert delete_file(ref.id) is True
        assert not path.exists()


def test_a_failed_upload_leaves_no_file(tmp_path: Path) -> None:
    local = LocalFileStore(tmp_path / "vault")

    def broken() -> Iterator[bytes]:
        yield b"x" * 100
        raise OSError("client went away")

    with using_file_store(local), pytest.raises(OSError, match="client went away"):
        save_file(uuid.uuid4(), broken())
    assert [p for p in (tmp_path / "vault").rglob("*") if p.is_file()] == []


def test_encryption_streams_in_bounded_memory() -> None:
    key = os.urandom(32)
    total = 32 * 1024 * 1024

    def pieces() -> Iterator[bytes]:
        block = os.urandom(1024 * 1024)
        for _ in range(total // len(block)):
            yield block

    tracemalloc.start()
    written = sum(
        len(c) for c in encrypt_stream(key, pieces(), subject_id=uuid.uuid4(), file_id=uuid.uuid4())
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert written > total
    assert peak < 6 * 1024 * 1024  # a couple of chunks and one source block, not the file


# --- the field ------------------------------------------------------------------------


@pytest.mark.usefixtures("vault_tables")
def test_a_file_field_encrypts_an_upload_bound_to_its_row(store: MemoryFileStore) -> None:
    customer = Customer.objects.create(email="ann@example.com", name="Ann")
    order = Order.objects.create(customer=customer, model_file=io.BytesIO(DATA))

    loaded = Order.objects.get(pk=order.pk)

    assert isinstance(loaded.model_file, EncryptedFile)
    assert loaded.model_file.size == len(DATA)
    assert loaded.model_file.owner == f"vault_tests.order.model_file:{order.pk}"
    assert b"".join(loaded.model_file.chunks()) == DATA
    with store.open(loaded.model_file.id)[0] as raw:
        assert raw.read(43)[8:24] == customer.subject_id.bytes
    (listed,) = Order.objects.values_list("model_file", flat=True)
    assert listed.id == loaded.model_file.id


@pytest.mark.usefixtures("vault_tables")
def test_a_file_reference_moved_to_another_row_does_not_open(store: MemoryFileStore) -> None:
    customer = Customer.objects.create(email="ann@example.com", name="Ann")
    first = Order.objects.create(customer=customer, model_file=DATA)
    second = Order.objects.create(customer=customer)
    Order.objects.filter(pk=second.pk).update(model_file=first.model_file.to_column())

    with pytest.raises(CiphertextCorrupted, match="belongs to another row or field"):
        Order.objects.get(pk=second.pk).model_file.open()


@pytest.mark.usefixtures("vault_tables")
def test_assigning_another_rows_file_copies_it(store: MemoryFileStore) -> None:
    customer = Customer.objects.create(email="ann@example.com", name="Ann")
    first = Order.objects.create(customer=customer, model_file=DATA)
    second = Order.objects.create(customer=customer)

    second.model_file = Order.objects.get(pk=first.pk).model_file
    second.save()

    copied = Order.objects.get(pk=second.pk).model_file
    assert copied.id != first.model_file.id
    assert b"".join(copied.chunks()) == DATA
    assert len(store.files) == 2


# --- responses ------------------------------------------------------------------------


@pytest.fixture
def served(store: MemoryFileStore) -> EncryptedFile:
    return save_file(uuid.uuid4(), DATA, chunk_size=SMALL)


def _get(ref: EncryptedFile, method: str = "get", **headers: str) -> Any:
    request = getattr(RequestFactory(), method)("/file", headers=headers)
    return encrypted_file_response(request, ref, content_type="model/stl", filename="Teil ü.stl")


def _body(response: Any) -> bytes:
    body = b"".join(response.streaming_content)
    response.close()
    return body


def test_a_whole_file_is_streamed_with_safe_headers(served: EncryptedFile) -> None:
    response = _get(served)

    assert response.status_code == 200
    assert response.streaming
    assert _body(response) == DATA
    assert response["Content-Length"] == str(len(DATA))
    assert response["Content-Type"] == "model/stl"
    assert response["Accept-Ranges"] == "bytes"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert (
        response["Content-Disposition"]
        == "attachment; filename=\"Teil _.stl\"; filename*=UTF-8''Teil%20%C3%BC.stl"
    )


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=16-31", 16, 31),  # exactly one chunk
        ("bytes=15-32", 15, 32),  # across two boundaries
        ("bytes=1000-", 1000, 1027),  # open-ended
        ("bytes=-4", 1024, 1027),  # suffix: the short last chunk
        ("bytes=0-99999", 0, 1027),  # clamped to the end
        ("bytes=-5000", 0, 1027),  # a suffix longer than the file
    ],
)
def test_a_single_range_gets_206(served: EncryptedFile, header: str, first: int, last: int) -> None:
    response = _get(served, Range=header)

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{len(DATA)}"
    assert response["Content-Length"] == str(last - first + 1)
    assert _body(response) == DATA[first : last + 1]


@pytest.mark.parametrize("header", ["bytes=1028-", "bytes=5000-6000", "bytes=-0"])
def test_an_unsatisfiable_range_gets_416(served: EncryptedFile, header: str) -> None:
    response = _get(served, Range=header)

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(DATA)}"
    assert response.content == b""


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "items=0-5", "bytes=9-3", "bytes=-", "nonsense"])
def test_other_range_headers_get_the_whole_file(served: EncryptedFile, header: str) -> None:
    response = _get(served, Range=header)

    assert response.status_code == 200
    assert _body(response) == DATA


def test_if_range_must_match_the_etag(served: EncryptedFile) -> None:
    matching = _get(served, Range="bytes=0-9", If_Range=f'"{served.id}"')
    stale = _get(served, Range="bytes=0-9", If_Range='"something-else"')

    assert (matching.status_code, _body(matching)) == (206, DATA[:10])
    assert (stale.status_code, _body(stale)) == (200, DATA)


def test_head_sends_headers_only(served: EncryptedFile) -> None:
    response = _get(served, method="head", Range="bytes=0-9")

    assert response.status_code == 206
    assert response["Content-Length"] == "10"
    assert response.content == b""


def test_an_erased_file_raises_before_any_response(store: MemoryFileStore) -> None:
    subject = uuid.uuid4()
    ref = save_file(subject, DATA)
    destroy_subject_key(subject)

    with pytest.raises(SubjectErased):
        _get(ref)


def test_parse_range_on_an_empty_file() -> None:
    assert parse_range("bytes=0-", 0) == "unsatisfiable"
    assert parse_range("bytes=-1", 0) == "unsatisfiable"
    assert parse_range(None, 0) is None


def test_content_disposition_never_breaks_the_header() -> None:
    assert content_disposition("inline", 'a"b\r\n;c/d\\e.mp4') == (
        "inline; filename=\"a_b_c_d_e.mp4\"; filename*=UTF-8''a%22b%3Bc_d_e.mp4"
    )
    assert content_disposition("attachment", "模型.stl").startswith('attachment; filename="__.stl"')
    with pytest.raises(ValueError, match="disposition"):
        content_disposition("evil", "x")


def test_the_default_chunk_is_64_kib(store: MemoryFileStore) -> None:
    ref = save_file(uuid.uuid4(), b"x" * (CHUNK_SIZE + 1))

    with ref.open() as reader:
        assert (CHUNK_SIZE, reader.chunk_count) == (65536, 2)
    assert len(store.files[ref.id]) == len(reader._header_bytes) + CHUNK_SIZE + 1 + 2 * 16
