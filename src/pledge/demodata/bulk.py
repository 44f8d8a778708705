"""The bulk path: a customer's plan as model instances, made as the actions make them.

Each function below builds the rows and audit events one of the Services' actions
would (the account, the address book, quotes and orders with their files, payments and
invoices, the chat, the ticket, request logs, consent records); `rows.Builder` turns
each instance into its INSERT parameters with the models' own fields (every value
sealed under its subject's key, blind indexes hashed, files encrypted into the file
store) and `writer` inserts a batch at a time. What differs from calling the actions is
only how the rows reach the database: a whole batch in one transaction, keys made in
memory and inserted together, files written without one fsync each (one sync per
batch, before the batch commits), and the audit events chained by the writer. The test
in pledge/tests/test_demodata.py shows the result is what the actions produce.

`build_batch` runs in a worker process and touches no database but to read a log day's key.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass
from decimal import Decimal

from accounts.actions import check_registration_age
from accounts.models import Role, User
from addresses.actions import clean_address_details
from addresses.models import Address
from chat.models import Attachment, Message, Thread
from orders.actions import model_file_row
from orders.models import AddressKind, Order, OrderAddress, OrderEvent, Status
from orders.offerings import BY_KEY
from payments.bank_accounts import clean_bank_details
from payments.models import Invoice, Method, Payment, PaymentStatus
from pledge.demodata import samples
from pledge.demodata.plan import DECLINED_CARD, GOOD_CARDS, PAID, CustomerPlan
from pledge.demodata.rows import Batch, Builder
from pledge.demodata.visits import add_consents, add_logs
from privacy.vault.personal_model import uuid7
from support.actions import TicketRequest, clean_ticket_request
from support.models import Ticket, TicketMessage

DATE_OF_BIRTH = dt.date(1990, 5, 17)  # every demo customer is an adult


@dataclass(frozen=True)
class Staff:
    """Who answers the demo customers: (primary key, subject id) of each."""

    managers: tuple[tuple[uuid.UUID, uuid.UUID], ...]
    agent: tuple[uuid.UUID, uuid.UUID]
    admin: tuple[uuid.UUID, uuid.UUID]
    password_hash: str  # one Argon2 hash of plan.DEMO_PASSWORD, shared (hashing costs ~50 ms each)


def _actor(subject_id: uuid.UUID | None) -> str:
    return f"subject:{subject_id}" if subject_id is not None else "anonymous"


def build_batch(plans: list[CustomerPlan], staff: Staff, first_username: str) -> Batch:
    batch = Batch(plans[0].index, plans[-1].index + 1, first_username)
    builder = Builder(batch)
    for plan in plans:
        _customer(builder, plan, staff)
    builder.finish()
    return batch


def _customer(b: Builder, plan: CustomerPlan, staff: Staff) -> None:
    manager_pk, manager_sid = staff.managers[plan.manager]
    user = User(
        username=plan.username,
        email=plan.email,
        registration_ip=plan.registration_ip,
        role=Role.CUSTOMER,
        date_joined=plan.joined,
        age_checked_at=plan.joined,
        minimum_age_applied=check_registration_age(
            date_of_birth=DATE_OF_BIRTH, country=plan.addresses[0].country, now=plan.joined
        ),
        email_verified_at=plan.joined + dt.timedelta(minutes=5),
        account_manager_id=manager_pk,
        password=staff.password_hash,
    )
    b.key(user.subject_id)
    b.add(user)
    sid = str(user.subject_id)
    me = _actor(user.subject_id)
    b.event(plan.joined, me, "accounts.user.registered", sid, minimum_age_applied=user.minimum_age_applied)
    b.event(
        plan.joined,
        _actor(staff.admin[1]),
        "accounts.customer.manager_assigned",
        sid,
        manager=str(manager_sid),
    )
    book = _addresses(b, plan, user)
    _orders(b, plan, user, staff, book)
    _chat(b, plan, user, staff)
    _ticket(b, plan, user, staff)
    add_logs(b, plan, user)
    add_consents(b, plan, user)


def _addresses(b: Builder, plan: CustomerPlan, user: User) -> Address:
    first: Address | None = None
    for n, details in enumerate(plan.addresses):
        clean = clean_address_details(details)
        at = plan.joined + dt.timedelta(hours=1 + n)
        address = Address(
            customer=user,
            **{name: getattr(clean, name) for name in clean.field_names()},
            is_default_delivery=n == 0,
            is_default_billing=n == 0,
            created_at=at,
            updated_at=at,
        )
        b.add(address)
        b.event(
            at,
            _actor(user.subject_id),
            "addresses.address.added",
            str(user.subject_id),
            f"addresses.address:{address.pk}",
            default_delivery=n == 0,
            default_billing=n == 0,
        )
        first = first or address
    assert first is not None
    return first


def _snapshot(address: Address) -> tuple[str, str, str]:
    """(consignee, mobile, postal lines) of the default address, as the demo's place_order copies it."""
    return address.consignee_name, address.mobile_phone_display, "\n".join(address.lines)


def _orders(b: Builder, plan: CustomerPlan, user: User, staff: Staff, book: Address) -> None:
    manager_pk, manager_sid = staff.managers[plan.manager]
    sid, me, boss = str(user.subject_id), _actor(user.subject_id), _actor(manager_sid)
    snapshot = _snapshot(book)  # the same default address for every order
    for op in plan.orders:
        at = op.requested_at
        step = dt.timedelta(hours=6)
        order = Order(
            customer=user,
            account_manager_id=manager_pk,
            process=op.process,
            material=op.material,
            finish=op.finish,
            quantity=op.quantity,
            notes=op.notes.strip(),
            status=Status.QUOTE_REQUESTED,
            requested_at=at,
            updated_at=at,
        )
        obj = f"orders.order:{order.pk}"
        events: list[OrderEvent] = [
            OrderEvent(
                order=order,
                from_status="",
                to_status=Status.QUOTE_REQUESTED,
                actor_id=user.pk,
                actor_role=Role.CUSTOMER,
                at=at,
            )
        ]
        files = []
        for position, n in enumerate(op.files):
            sample = samples.model_samples()[n]
            info = sample.info
            model_file = model_file_row(order, sample.data, sample.name, info, at)
            model_file.position = position
            files.append(model_file)
        b.event(at, me, "orders.quote.requested", sid, obj, files=len(files), process=op.process)

        def move(
            to: str,
            actor_pk: uuid.UUID | None,
            role: str,
            actor: str,
            note: str = "",
            order: Order = order,
            events: list[OrderEvent] = events,
            step: dt.timedelta = step,
            obj: str = obj,
        ) -> None:
            nonlocal at
            at = at + step
            previous = order.status
            order.status, order.updated_at = to, at
            if to == Status.QUOTED:
                order.quoted_at = at
            elif to == Status.PLACED:
                order.placed_at = at
            elif to == Status.PAID:
                order.paid_at = at
            events.append(
                OrderEvent(
                    order=order,
                    from_status=previous,
                    to_status=to,
                    actor_id=actor_pk,
                    actor_role=role,
                    at=at,
                    note=note,
                )
            )
            action = {
                Status.QUOTED: "orders.quote.priced",
                Status.PLACED: "orders.order.placed",
                Status.CANCELLED: "orders.order.cancelled",
            }.get(Status(to), "orders.order.status_changed")
            b.event(at, actor, action, sid, obj, **{"from": previous, "to": to})

        final = op.final
        priced = final not in ("quote_requested",) and not (
            final == "cancelled" and not op.cancel_after_quote
        )
        if priced:
            order.unit_price = op.unit_price.quantize(Decimal("0.01"))
            order.total = (op.unit_price * op.quantity).quantize(Decimal("0.01"))
            order.currency = "USD"
            order.lead_time_days = op.lead_time_days
            order.quote_note = op.quote_note.strip()
            move(Status.QUOTED, manager_pk, Role.ACCOUNT_MANAGER, boss, op.quote_note.strip())
        addresses: list[OrderAddress] = []
        payments: list[Payment] = []
        invoice: Invoice | None = None
        if final == "cancelled":
            move(Status.CANCELLED, user.pk, Role.CUSTOMER, me, "")
        if final in PAID or final == "placed":
            for kind in (AddressKind.DELIVERY, AddressKind.BILLING):
                name, phone, lines = snapshot
                addresses.append(
                    OrderAddress(
                        customer_subject_id=user.subject_id,
                        order=order,
                        kind=kind,
                        consignee_name=name,
                        mobile_phone=phone,
                        postal_lines=lines,
                        address_book_id=book.pk,
                    )
                )
            move(Status.PLACED, user.pk, Role.CUSTOMER, me)
        if final == "placed" and op.bank_transfer:
            payments.append(_bank_payment(b, plan, order, 1, at, me, sid, obj))
        if final in PAID:
            attempt = 1
            if op.declined_first and not op.bank_transfer:
                _number, brand, last4, code = DECLINED_CARD
                declined = _card_payment(order, attempt, brand, last4, PaymentStatus.DECLINED, at)
                declined.decline_code = code
                declined.gateway_charge_id = _charge_id()
                declined.completed_at = at
                payments.append(declined)
                b.event(
                    at, me, "payments.payment.attempted", sid, obj, payment=str(declined.pk), attempt=attempt
                )
                b.event(
                    at,
                    me,
                    "payments.payment.declined",
                    sid,
                    obj,
                    payment=str(declined.pk),
                    attempt=attempt,
                    code=code,
                )
                attempt += 1
            if op.bank_transfer:
                payment = _bank_payment(b, plan, order, attempt, at, me, sid, obj)
                payer_pk, payer_role, payer, note = (
                    staff.admin[0],
                    Role.ADMINISTRATOR,
                    _actor(staff.admin[1]),
                    "Bank transfer received.",
                )
                b.event(
                    at + step, payer, "payments.bank_transfer.confirmed", sid, obj, payment=str(payment.pk)
                )
            else:
                _number, brand, last4 = GOOD_CARDS[op.card]
                payment = _card_payment(order, attempt, brand, last4, PaymentStatus.PENDING, at)
                payment.gateway_charge_id = _charge_id()
                b.event(
                    at, me, "payments.payment.attempted", sid, obj, payment=str(payment.pk), attempt=attempt
                )
                payer_pk, payer_role, payer, note = user.pk, Role.CUSTOMER, me, "Paid by card."
            payment.status = PaymentStatus.SUCCEEDED
            payments.append(payment)
            move(Status.PAID, payer_pk, payer_role, payer, note)
            payment.completed_at = at
            b.event(
                at,
                payer,
                "payments.payment.succeeded",
                sid,
                obj,
                payment=str(payment.pk),
                method=payment.method,
                attempt=payment.attempt,
            )
            name, _phone, lines = snapshot
            process = BY_KEY.get(order.process)
            assert order.unit_price is not None
            assert order.total is not None
            invoice = Invoice(
                customer_subject_id=user.subject_id,
                order=order,
                payment=payment,
                number="",
                year=at.year,
                sequence=0,
                issued_at=at,
                description=f"{process.name if process else order.process}, {order.material}, {order.finish}",
                quantity=order.quantity,
                unit_price=order.unit_price,
                total=order.total,
                currency=order.currency,
                payment_method=payment.method,
                billing_name=name,
                billing_address=lines,
            )
            invoice_event = b.event(
                at,
                payer,
                "payments.invoice.issued",
                sid,
                f"payments.invoice:{invoice.pk}",
                number="",
                order=str(order.pk),
            )
        if final in ("in_production", "shipped", "delivered"):
            move(Status.IN_PRODUCTION, manager_pk, Role.ACCOUNT_MANAGER, boss)
        if final in ("shipped", "delivered"):
            move(Status.SHIPPED, manager_pk, Role.ACCOUNT_MANAGER, boss, op.tracking)
        if final == "delivered":
            move(Status.DELIVERED, manager_pk, Role.ACCOUNT_MANAGER, boss)
        b.add(order)
        for address in addresses:
            b.key(address.subject_id)
        for item in (*events, *files, *addresses):
            b.add(item)
        for payment in payments:
            b.add(payment)
        if invoice is not None:
            b.key(invoice.subject_id)
            row = b.add(invoice)
            b.invoice(row, invoice.year, invoice_event)


def _charge_id() -> str:
    return "ch_" + secrets.token_urlsafe(18)


def _card_payment(
    order: Order, attempt: int, brand: str, last4: str, status: str, at: dt.datetime
) -> Payment:
    # As the demo tokenises its test cards: expiring three years from today.

    assert order.total is not None
    return Payment(
        order=order,
        attempt=attempt,
        method=Method.CARD,
        amount=order.total,
        currency=order.currency,
        status=status,
        card_token="tok_" + secrets.token_urlsafe(24),
        card_brand=brand,
        card_last4=last4,
        card_exp_month="12",
        card_exp_year=str(dt.date.today().year + 3),
        created_at=at,
    )


def _bank_payment(
    b: Builder, plan: CustomerPlan, order: Order, attempt: int, at: dt.datetime, me: str, sid: str, obj: str
) -> Payment:
    details = clean_bank_details(
        account_holder=plan.bank[0], account_number=plan.bank[1], bank_name=plan.bank[2]
    )
    assert order.total is not None
    payment = Payment(
        order=order,
        attempt=attempt,
        method=Method.BANK_TRANSFER,
        amount=order.total,
        currency=order.currency,
        status=PaymentStatus.AWAITING_TRANSFER,
        bank_account_holder=details.account_holder,
        bank_account_number=details.account_number,
        bank_name=details.bank_name,
        created_at=at,
    )
    b.event(at, me, "payments.bank_transfer.requested", sid, obj, payment=str(payment.pk), attempt=attempt)
    return payment


def _chat(b: Builder, plan: CustomerPlan, user: User, staff: Staff) -> None:
    manager_pk, manager_sid = staff.managers[plan.manager]
    first = plan.messages[0].at
    thread = Thread(
        customer=user,
        created_at=first,
        last_message_at=plan.messages[-1].at,
        message_count=len(plan.messages),
    )
    b.key(thread.subject_id)
    b.add(thread)
    sid, obj = str(user.subject_id), f"chat.thread:{thread.pk}"
    message = Message(thread=thread)  # refilled per message, as _logs does
    for seq, mp in enumerate(plan.messages, start=1):
        author_pk, author_sid = (manager_pk, manager_sid) if mp.from_staff else (user.pk, user.subject_id)
        message.id, message.seq, message.author_id, message.from_staff = (
            uuid7(),
            seq,
            author_pk,
            mp.from_staff,
        )
        message.subject_id = thread.subject_id if mp.from_staff else user.subject_id
        message.body, message.created_at = mp.body.strip(), mp.at
        b.add(message)
        kinds: list[str] = []
        if mp.attachment is not None:
            kind, n = mp.attachment
            if kind == "image":
                image = samples.image_samples()[n]
                checked, data = image.checked, image.checked.data or image.data
            else:
                checked, data = samples.chat_model_checks()[n], samples.model_samples()[n].data
            b.add(
                Attachment(
                    message=message,
                    position=0,
                    kind=checked.kind,
                    format=checked.format,
                    file=checked.data if checked.data is not None else data,
                    display_name=checked.display_name,
                    content_type=checked.content_type,
                    size=checked.size,
                    width=checked.width,
                    height=checked.height,
                )
            )
            kinds.append(checked.kind)
        if seq == 1:
            b.event(mp.at, _actor(author_sid), "chat.thread.started", sid, obj)
        b.event(
            mp.at,
            _actor(author_sid),
            "chat.message.sent",
            sid,
            obj,
            seq=seq,
            from_staff=mp.from_staff,
            attachments=sorted(kinds),
        )


def _ticket(b: Builder, plan: CustomerPlan, user: User, staff: Staff) -> None:
    topic, subject_line, content, email, phone = plan.ticket
    clean = clean_ticket_request(
        TicketRequest(
            topic=topic, subject_line=subject_line, content=content, contact_email=email, contact_phone=phone
        )
    )
    at = plan.joined + dt.timedelta(days=3)
    ticket = Ticket(
        customer=user,
        topic=clean.topic,
        subject_line=clean.subject_line,
        content=clean.content,
        contact_email=clean.contact_email,
        contact_phone=clean.contact_phone,
        status="open",
        created_at=at,
        last_activity_at=at,
    )
    sid, obj = str(user.subject_id), f"support.ticket:{ticket.pk}"
    b.event(at, _actor(user.subject_id), "support.ticket.opened", sid, obj, topic=ticket.topic)
    replies = []
    for from_staff, body in plan.ticket_replies:
        at = at + dt.timedelta(hours=2)
        author_pk, author_sid = staff.agent if from_staff else (user.pk, user.subject_id)
        message = TicketMessage(
            ticket=ticket, author_id=author_pk, body=body.strip(), from_staff=from_staff, created_at=at
        )
        replies.append(message)
        ticket.status = "answered" if from_staff else "open"
        ticket.last_activity_at = at
        b.event(
            at,
            _actor(author_sid),
            "support.ticket.replied",
            sid,
            obj,
            message=str(message.pk),
            from_staff=from_staff,
            status=ticket.status,
        )
    b.add(ticket)
    for message in replies:
        b.add(message)


__all__ = ["DATE_OF_BIRTH", "Staff", "build_batch"]
