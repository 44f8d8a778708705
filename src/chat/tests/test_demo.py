"""The demo conversation is made through the real actions, once."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts.models import Role, User
from chat.demo import create_demo_chats
from chat.models import Attachment, Message, Thread
from orders.tests.factories import make_user

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def test_the_first_customer_with_a_manager_gets_a_conversation_once(customer: User, manager: User) -> None:
    loner = make_user(Role.CUSTOMER)

    threads = create_demo_chats([loner, customer])
    again = create_demo_chats([loner, customer])

    assert [thread.customer for thread in threads] == [customer]
    assert again == []
    assert Thread.objects.count() == 1
    assert [(m.seq, m.from_staff) for m in Message.objects.order_by("seq")] == [(1, False), (2, True)]
    assert [(a.kind, a.format, a.display_name) for a in Attachment.objects.order_by("position")] == [
        ("image", "png", "bracket sketch.png"),
        ("model3d", "stl_binary", "cube.stl"),
    ]


def test_the_demo_refuses_production(customer: User, settings: Any) -> None:
    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured):
        create_demo_chats([customer])
    assert Thread.objects.count() == 0
