"""Subjects with data in every test model, and a table-level copy and restore of the database.

`copy_tables` / `restore_tables` stand in for a backup and its restore: they read and
re-insert the stored rows as the database holds them (ciphertext and all), below the
ORM, so that nothing is re-encrypted on the way back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import connections, models

from privacy.catalog.tests.isolated_models import (
    Attachment,
    Customer,
    Invoice,
    Message,
    Refund,
    Thread,
)


@dataclass
class Person:
    customer: Customer
    name: str
    email: str
    phone: str
    messages: list[Message] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)

    @property
    def subject_id(self) -> uuid.UUID:
        return self.customer.subject_id


def make_person(
    name: str,
    email: str,
    phone: str,
    *,
    messages: tuple[str, ...] = ("Hello",),
    upload: bytes | None = None,
    invoice: bool = False,
    refund: bool = False,
) -> Person:
    customer = Customer(name=name, email=email, phone=phone)
    customer.save()
    person = Person(customer, name, email, phone)
    thread = Thread.objects.create(customer=customer)
    for body in messages:
        message = Message(thread=thread, body=body)
        message.save()
        person.messages.append(message)
    if upload is not None:
        attachment = Attachment(message=person.messages[0], upload=upload)
        attachment.preview.save("preview.txt", ContentFile(upload), save=False)
        attachment.save()
        person.attachments.append(attachment)
    if invoice:
        person.invoices.append(
            Invoice.objects.create(
                subject_id=customer.subject_id,
                billing_name=name,
                total_cents=4200,
                delivery_note="ring twice",
            )
        )
    if refund:
        person.refunds.append(Refund.objects.create(customer=customer, bank_reference=f"REF-{name}"))
    return person


TableCopy = dict[tuple[str, str], tuple[list[str], list[tuple[Any, ...]]]]


def copy_tables(*tables: tuple[str, str]) -> TableCopy:
    """The stored rows of each (database alias, table), exactly as stored."""
    copy: TableCopy = {}
    for alias, table in tables:
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            columns = [column[0] for column in cursor.description]
            rows = [
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in cursor.fetchall()
            ]
        copy[(alias, table)] = (columns, rows)
    return copy


def restore_tables(copy: TableCopy, order: list[tuple[str, str]]) -> int:
    """Insert back every copied row that is missing now (parents first, per `order`); how many."""
    restored = 0
    for alias, table in order:
        columns, rows = copy[(alias, table)]
        connection = connections[alias]
        quote = connection.ops.quote_name
        pk = columns.index("id")
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {quote(table)}")  # noqa: S608
            present = {str(row[0]) for row in cursor.fetchall()}
            names = ", ".join(quote(column) for column in columns)
            marks = ", ".join(["%s"] * len(columns))
            for row in rows:
                if str(row[pk]) not in present:
                    cursor.execute(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", row)  # noqa: S608
                    restored += 1
    return restored


def table_of(model: type[models.Model], alias: str = "default") -> tuple[str, str]:
    return (alias, model._meta.db_table)
