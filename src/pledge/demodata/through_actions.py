"""The reference path: a customer plan carried out by the Services' own actions, one by one.

Slow (an Argon2 hash per account, a transaction and an audit append per step), so used
by the equivalence test and by `pledge demo generate --through-actions` for small runs.
The e-mail confirmation stands in for the customer clicking the link (the field is set).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io

from django.core.files import File
from django.utils import timezone

from accounts.actions import assign_account_manager, register_customer
from accounts.models import User
from addresses.actions import add_address
from chat.actions import send_message
from orders import actions as orders
from orders.models import Status
from payments import actions as payments
from payments.actions import CardDeclined
from payments.bank_accounts import clean_bank_details
from payments.provider import payment_gateway
from pledge.demodata import samples
from pledge.demodata.bulk import DATE_OF_BIRTH
from pledge.demodata.plan import DECLINED_CARD, DEMO_PASSWORD, GOOD_CARDS, PAID, CustomerPlan
from privacy.consent.actions import Circumstances, record_choice
from privacy.consent.models import ConsentRecord
from privacy.consent.models import Method as ConsentMethod
from support.actions import TicketRequest, open_ticket, reply_to_ticket
from weblog.actions import write_request_logs
from weblog.writer import Captured, request_log_row


def _upload(data: bytes, name: str) -> File[bytes]:
    return File(io.BytesIO(data), name=name)


def carry_out(plan: CustomerPlan, *, managers: list[User], agent: User, admin: User) -> User:
    user = register_customer(
        username=plan.username,
        email=plan.email,
        password=DEMO_PASSWORD,
        date_of_birth=DATE_OF_BIRTH,
        country=plan.addresses[0].country,
        ip_address=plan.registration_ip,
        base_url="http://127.0.0.1:8000",
    )
    assert user is not None
    User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
    user.refresh_from_db()
    manager = managers[plan.manager]
    assign_account_manager(customer=user, manager=manager, actor=admin)
    user.refresh_from_db()
    book = [
        add_address(customer=user, details=details, default_delivery=n == 0, default_billing=n == 0)
        for n, details in enumerate(plan.addresses)
    ]
    snapshot = orders.AddressSnapshot(
        consignee_name=book[0].consignee_name,
        lines=tuple(book[0].lines),
        mobile_phone=book[0].mobile_phone_display,
        address_book_id=book[0].pk,
    )
    for op in plan.orders:
        _order(op, user, manager, admin, snapshot, plan)
    _chat(plan, user, manager)
    topic, subject_line, content, email, phone = plan.ticket
    ticket = open_ticket(
        customer=user,
        request=TicketRequest(
            topic=topic, subject_line=subject_line, content=content, contact_email=email, contact_phone=phone
        ),
    )
    for from_staff, body in plan.ticket_replies:
        reply_to_ticket(author=agent if from_staff else user, ticket_id=ticket.pk, body=body)
    write_request_logs(
        rows=[
            request_log_row(
                Captured(
                    at=lp.at.timestamp(),
                    ip=lp.ip,
                    user_agent=_agent(lp.agent),
                    path=lp.path,
                    query="",
                    method=lp.method,
                    status=lp.status,
                    response_ms=lp.response_ms,
                    account_subject_id=user.subject_id,
                    url_kwargs=None,
                    referer="",
                    analytics=False,
                )
            )
            for lp in plan.logs
        ]
    )
    previous: ConsentRecord | None = None
    visitor = None
    for cp in plan.consents:
        previous = record_choice(
            method=ConsentMethod(cp.method),
            categories=cp.categories,
            at=cp.at,
            circumstances=Circumstances(
                language="zh" if cp.language == "zh" else "en",
                visitor_id=visitor,
                subject_id=user.subject_id,
                supersedes=previous.id if previous else None,
                previously_granted=previous.granted if previous else frozenset(),
                ip=cp.ip,
                user_agent=_agent(cp.agent),
                country=cp.country,
            ),
        )
        visitor = previous.visitor_id
    return user


def _agent(n: int) -> str:
    from pledge.demodata.plan import AGENTS

    return AGENTS[n]


def _card(number: str) -> object:
    return payment_gateway().tokenise_card(
        number=number,
        exp_month=12,
        exp_year=dt.date.today().year + 3,
        cvc="1234" if number.startswith("3") else "123",
    )


def _order(op, user, manager, admin, snapshot, plan) -> None:  # type: ignore[no-untyped-def]
    pool = samples.model_samples()
    order = orders.request_quote(
        customer=user,
        process=op.process,
        material=op.material,
        finish=op.finish,
        quantity=op.quantity,
        notes=op.notes,
        uploads=[_upload(pool[n].data, pool[n].name) for n in op.files],
    )
    final = op.final
    if final != "quote_requested" and not (final == "cancelled" and not op.cancel_after_quote):
        order = orders.price_quote(
            actor=manager,
            order=order,
            unit_price=op.unit_price,
            currency="USD",
            lead_time_days=op.lead_time_days,
            note=op.quote_note,
        )
    if final == "cancelled":
        orders.cancel_order(actor=user, order=order)
        return
    if final == "placed" or final in PAID:
        order = orders.place_order(actor=user, order=order, delivery=snapshot, billing=snapshot)
    bank = clean_bank_details(
        account_holder=plan.bank[0], account_number=plan.bank[1], bank_name=plan.bank[2]
    )
    if final == "placed" and op.bank_transfer:
        payments.request_bank_transfer(actor=user, order=order, details=bank)
    if final in PAID:
        if op.declined_first and not op.bank_transfer:
            with contextlib.suppress(CardDeclined):
                payments.pay_by_card(actor=user, order=order, card=_card(DECLINED_CARD[0]))  # type: ignore[arg-type]
        if op.bank_transfer:
            payment = payments.request_bank_transfer(actor=user, order=order, details=bank)
            payments.confirm_bank_transfer(actor=admin, payment=payment)
        else:
            payments.pay_by_card(actor=user, order=order, card=_card(GOOD_CARDS[op.card][0]))  # type: ignore[arg-type]
    if final in ("in_production", "shipped", "delivered"):
        orders.advance_order(actor=manager, order=order, to=Status.IN_PRODUCTION)
    if final in ("shipped", "delivered"):
        orders.advance_order(actor=manager, order=order, to=Status.SHIPPED, note=op.tracking)
    if final == "delivered":
        orders.advance_order(actor=manager, order=order, to=Status.DELIVERED)


def _chat(plan: CustomerPlan, user: User, manager: User) -> None:
    for mp in plan.messages:
        uploads = []
        if mp.attachment is not None:
            kind, n = mp.attachment
            if kind == "image":
                image = samples.image_samples()[n]
                uploads.append(_upload(image.data, image.name))
            else:
                model = samples.model_samples()[n]
                uploads.append(_upload(model.data, model.name))
        send_message(author=manager if mp.from_staff else user, customer=user, body=mp.body, uploads=uploads)
