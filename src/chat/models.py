"""Live chat between a customer and their account manager (policy section 3, commitment C5).

One `Thread` per customer; its `Message`s, in the order they were committed (`seq`), and
their `Attachment`s: images, audio, video and 3D files, checked by content before they
were stored (chat.uploads).

Whose key seals what (docs/decisions/0010-chat.md). Everything typed or uploaded is
`user.content.private` in the `live_chat_and_order` context, encrypted in the vault:

- a customer's messages and files under the customer's own data key (`Message.subject_id`
  is the customer's subject id): erasing the customer deletes them and destroys the key;
- SogaWorks' messages and files (the account manager's) under the thread's own key
  (`Thread.subject_id`, and `Message.subject_id` is that id): they are the company's side
  of the correspondence, so they stay readable when the customer is erased (and when the
  manager who wrote them leaves), until the thread's own retention ends.

So a message names the key that seals it in its own `subject_id` (`privacy_subject =
"self"`), and the catalog finds a customer's messages, and only those, by their subject id.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.api import (
    EncryptedCharField,
    EncryptedFileField,
    EncryptedTextField,
    PersonalModel,
    not_personal,
)

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

    from accounts.models import User

# The collection context of the declaration (policy/sogaworks.yaml) and the category of
# everything a participant types or uploads.
CHAT_AND_ORDER = "live_chat_and_order"
CONTENT = "user.content.private"


class Kind(models.TextChoices):
    IMAGE = "image", _("Image")
    AUDIO = "audio", _("Audio")
    VIDEO = "video", _("Video")
    MODEL3D = "model3d", _("3D file")


class Thread(PersonalModel):
    """The conversation of one customer with SogaWorks, answered by their account manager.

    The manager is not stored: the thread is seen by the customer's account manager of the
    day (chat.queries), so a reassignment hands the conversation over with the customer.
    `subject_id` names the thread's own data key, which seals SogaWorks' messages.
    """

    privacy_subject = "self"
    # The thread is about its customer: an access request includes it; their erasure keeps
    # it (SogaWorks' side of the correspondence) and sets `customer` to NULL.
    privacy_person = "customer__subject_id"
    privacy_person_erasure = "unlink"

    subject_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Null once the customer's account row is deleted by an erasure: SogaWorks' side of the
    # conversation outlives the link to the person (decision 0010).
    customer = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="chat_thread",
        verbose_name=_("customer"),
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now, editable=False)
    last_message_at = models.DateTimeField(_("last message"), default=timezone.now, db_index=True)
    # The seq of the newest message; raised under the thread's row lock, so seq order is
    # commit order and a poll for "after n" never misses a message committed late.
    message_count = models.PositiveIntegerField(default=0)

    if TYPE_CHECKING:
        messages: RelatedManager[Message]

    class Meta:
        verbose_name = _("chat thread")
        verbose_name_plural = _("chat threads")
        ordering: ClassVar[list[str]] = ["-last_message_at"]

    def __str__(self) -> str:
        return f"Chat thread {self.pk}"


class Message(PersonalModel):
    privacy_subject = "self"
    # Every message of the customer's thread is about them, SogaWorks' answers included:
    # an access request exports them all; an erasure deletes the customer's own (their key)
    # and keeps SogaWorks', untied from the customer (Thread.customer set to NULL).
    privacy_person = "thread__customer__subject_id"
    privacy_person_erasure = "unlink"

    # The key that seals the body and the attachments: the customer's subject id for the
    # customer's own messages, the thread's for SogaWorks' (module docstring).
    subject_id = models.UUIDField(db_index=True, editable=False)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveIntegerField(editable=False)
    # Null when the writer's account is gone; `from_staff` still says which side wrote it.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    from_staff = models.BooleanField(_("from SogaWorks"), default=False)
    body = EncryptedTextField(_("message"), blank=True, category=CONTENT, context=CHAT_AND_ORDER)
    created_at = models.DateTimeField(_("sent"), default=timezone.now, editable=False)
    read_at = models.DateTimeField(_("read by the other side"), null=True, blank=True)

    if TYPE_CHECKING:
        attachments: RelatedManager[Attachment]

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        ordering: ClassVar[list[str]] = ["thread", "seq"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["thread", "seq"], name="chat_message_one_seq_per_thread"),
        ]

    def __str__(self) -> str:
        return f"Message {self.seq} of thread {self.thread_id}"

    def is_written_by(self, user: User) -> bool:
        return self.author_id is not None and self.author_id == user.pk


class Attachment(PersonalModel):
    """A file sent with a message, stored as checked: images re-encoded, the rest as uploaded."""

    privacy_subject = "message"
    privacy_person = "message__thread__customer__subject_id"  # as Message
    privacy_person_erasure = "unlink"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # The format found in the bytes: png, jpeg, mp3, aac, m4a, ogg_opus, ogg_vorbis, wav,
    # mp4, mov, webm, and the 3D formats of orders.modelfiles.
    format = models.CharField(_("format"), max_length=12)
    file = EncryptedFileField(_("file"), category=CONTENT, context=CHAT_AND_ORDER)
    # The sender's file name, cleaned (orders.modelfiles.safe_display_name) and, for media,
    # given the extension of what the bytes are. A name can say who or what a file is about.
    display_name = EncryptedCharField(
        _("file name"), max_length=120, category=CONTENT, context=CHAT_AND_ORDER
    )
    content_type = not_personal(
        models.CharField(_("media type"), max_length=40),
        reason="the media type the server detected and serves the file as, from a fixed list",
    )
    size = models.PositiveBigIntegerField(_("size in bytes"))
    width = models.PositiveIntegerField(null=True, blank=True)  # images only, after re-encoding
    height = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("chat attachment")
        ordering: ClassVar[list[str]] = ["message", "position"]

    def __str__(self) -> str:
        return f"{self.kind} attachment {self.pk}"

    @property
    def is_image(self) -> bool:
        return self.kind == Kind.IMAGE

    @property
    def disposition(self) -> str:
        """Re-encoded images may be shown in the page; everything else is only ever downloaded."""
        return "inline" if self.kind == Kind.IMAGE else "attachment"


# keeps: C5 (chat texts, images, audio, video and 3D files)
