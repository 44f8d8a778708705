"""What one demo customer did, decided from the seed and the customer's number alone.

A plan is plain data (picklable, no database): the account, the address book, the quotes
and orders with their files, payments and moves, the chat, the support ticket, the
request logs and the cookie choices, each with its time. Both writers follow the same
plan, which is what lets the test compare them. Generated ids (primary keys, subject
ids, nonces) are not part of a plan: they are random, as in the Services.

Averages per customer: 2 addresses, 6 quotes or orders (1.2 files each), 40 chat
messages (1 in 20 with a file), 3 payments (an invoice each when paid), 1 ticket, 100
request-log rows and 5 consent records.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from dataclasses import dataclass, field
from decimal import Decimal

import phonenumbers

from addresses.actions import AddressDetails
from orders.offerings import PROCESSES

WINDOW_LOG_DAYS = 180  # request logs are kept six months: generate within that window
DEMO_PASSWORD = "demo-customer-2026-pledge"  # noqa: S105 - DEMO ONLY, public: every generated customer shares it

# (country, cities with (region, postal code)) — made-up streets in real places.
PLACES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "CN": (
        ("Shenzhen", "Guangdong", "518126"),
        ("Shanghai", "Shanghai", "200120"),
        ("Suzhou", "Jiangsu", "215000"),
    ),
    "GB": (("London", "", "SW1A 1AA"), ("Manchester", "", "M1 1AE"), ("Leeds", "", "LS1 4AP")),
    "DE": (("Berlin", "", "10115"), ("Munich", "Bavaria", "80331"), ("Stuttgart", "", "70173")),
    "US": (("Austin", "TX", "78701"), ("Boston", "MA", "02108"), ("San Jose", "CA", "95113")),
    "FR": (("Lyon", "", "69002"), ("Paris", "", "75008"), ("Toulouse", "", "31000")),
    "JP": (("Osaka", "Osaka", "530-0001"), ("Tokyo", "Tokyo", "100-0001"), ("Nagoya", "Aichi", "450-0002")),
}
COUNTRIES = tuple(PLACES)
FIRST = (
    "Alice",
    "Bob",
    "Chen",
    "Dana",
    "Emil",
    "Fatima",
    "Gao",
    "Hana",
    "Ivan",
    "Jun",
    "Keiko",
    "Liam",
    "Mei",
)
LAST = ("Martin", "Chen", "Müller", "Smith", "Dubois", "Sato", "Wang", "Garcia", "Novak", "Li", "Okafor")
STREETS = ("Industrial Road", "Harbour Street", "Maple Avenue", "Tianxin Road", "Station Road", "Canal Way")
NOTES = ("", "", "Please keep the 2 mm wall.", "Tolerance ±0.05 on the bores.", "Deburr all edges, please.")
QUOTE_NOTES = ("Priced from your files.", "Priced from your files; the finish adds a day.", "")
CHAT_CUSTOMER = (
    "Hello! Could you check the tolerances on the new part?",
    "Thanks, that works for us.",
    "Can we get the parts before the end of the month?",
    "Here is the updated drawing.",
    "What finish would you recommend for outdoor use?",
    "Great, please go ahead.",
)
CHAT_STAFF = (
    "Thank you! I will look at it today.",
    "6061 aluminium with a bead-blasted finish works well for this.",
    "Your parts are in production and on schedule.",
    "We can ship by express if you need them sooner.",
    "Anodising is the better choice outdoors.",
)
TICKETS = (
    (
        "order",
        "Can the brackets ship before Friday?",
        "Our assembly line starts on Monday. Can we get them sooner?",
    ),
    ("quote", "Anodising colours for 6061", "Which anodising colours do you offer for 6061 aluminium?"),
    ("payment", "Invoice address", "Our invoice shows the old billing address. Can you correct it?"),
    ("account", "Second user", "Can a colleague see our orders too?"),
)
PAGES = ("/", "/orders/", "/orders/new/", "/chat/", "/support/", "/addresses/", "/account/", "/privacy/")
AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.109 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.2 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Mobile/15E148 Safari/604.1",
)
# Test-mode cards (payments.testgateway): (number, brand, last four).
GOOD_CARDS = (
    ("4242424242424242", "visa", "4242"),
    ("5555555555554444", "mastercard", "4444"),
    ("378282246310005", "amex", "0005"),
    ("6200000000000005", "unionpay", "0005"),
)
DECLINED_CARD = ("4000000000000002", "visa", "0002", "card_declined")
# The final status of an order, with its weight; half of the orders end paid or beyond.
FINAL_STATUSES = (
    ("quote_requested", 12),
    ("quoted", 14),
    ("placed", 9),
    ("paid", 10),
    ("in_production", 10),
    ("shipped", 10),
    ("delivered", 25),
    ("cancelled", 10),
)
PAID = frozenset({"paid", "in_production", "shipped", "delivered"})


@functools.cache
def mobile_numbers(country: str) -> tuple[str, ...]:
    """Valid mobile numbers of `country` in E.164: its example number with other last digits."""
    example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE)
    assert example is not None
    base = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    found = []
    for n in range(200):
        candidate = f"{base[:-3]}{n:03d}"
        number = phonenumbers.parse(candidate)
        if phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        ):
            found.append(candidate)
    return tuple(found) or (base,)


@dataclass(frozen=True)
class OrderPlan:
    process: str
    material: str
    finish: str
    quantity: int
    notes: str
    files: tuple[int, ...]  # indexes into samples.model_samples()
    final: str  # the status the order ends in
    unit_price: Decimal
    lead_time_days: int
    quote_note: str
    cancel_after_quote: bool  # a cancelled order was priced before it was cancelled
    bank_transfer: bool  # paid (or to be paid) by bank transfer rather than card
    declined_first: bool  # a card payment was declined before one succeeded
    card: int  # index into GOOD_CARDS
    tracking: str
    requested_at: dt.datetime


@dataclass(frozen=True)
class MessagePlan:
    from_staff: bool
    body: str
    attachment: tuple[str, int] | None  # ("image", n) or ("model3d", n)
    at: dt.datetime


@dataclass(frozen=True)
class LogPlan:
    at: dt.datetime
    ip: str
    agent: int
    path: str
    method: str
    status: int
    response_ms: float


@dataclass(frozen=True)
class ConsentPlan:
    at: dt.datetime
    method: str
    categories: tuple[str, ...]
    language: str
    ip: str
    agent: int
    country: str


@dataclass(frozen=True)
class CustomerPlan:
    index: int
    username: str
    email: str
    registration_ip: str
    joined: dt.datetime
    manager: int  # index into the account managers
    addresses: tuple[AddressDetails, ...]
    orders: tuple[OrderPlan, ...]
    messages: tuple[MessagePlan, ...]
    ticket: tuple[str, str, str, str, str]  # topic, subject line, content, e-mail, phone
    ticket_replies: tuple[tuple[bool, str], ...]  # (from staff, body)
    logs: tuple[LogPlan, ...]
    consents: tuple[ConsentPlan, ...]
    bank: tuple[str, str, str] = field(default=("", "", ""))  # holder, account number, bank


def username_for(seed: int, index: int) -> str:
    return f"c{seed}-{index:07d}"


def _ip(rng: random.Random) -> str:
    first = rng.choice((23, 31, 58, 81, 91, 101, 113, 151, 175, 203))
    return f"{first}.{rng.randrange(1, 255)}.{rng.randrange(0, 255)}.{rng.randrange(1, 255)}"


def _between(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    span = max(1.0, (end - start).total_seconds())
    return start + dt.timedelta(seconds=rng.random() * span)


def _address(rng: random.Random, name: str, country: str, email: str, n: int) -> AddressDetails:
    city, region, postal = rng.choice(PLACES[country])
    return AddressDetails(
        label=("Workshop", "Accounts office", "Lab", "Warehouse")[n % 4],
        consignee_name=name,
        mobile_phone=rng.choice(mobile_numbers(country)),
        contact_email=email if rng.random() < 0.3 else "",
        country=country,
        postal_code=postal,
        region=region,
        city=city,
        street_line1=f"{rng.randrange(1, 300)} {rng.choice(STREETS)}",
        street_line2=f"Unit {rng.randrange(1, 40)}" if rng.random() < 0.4 else "",
    )


def _order(rng: random.Random, start: dt.datetime, now: dt.datetime) -> OrderPlan:
    process = rng.choice(PROCESSES)
    final = rng.choices([s for s, _ in FINAL_STATUSES], [w for _, w in FINAL_STATUSES])[0]
    files = (rng.randrange(24),) if rng.random() < 0.8 else (rng.randrange(24), rng.randrange(24))
    return OrderPlan(
        process=process.key,
        material=rng.choice(process.materials),
        finish=rng.choice(process.finishes),
        quantity=rng.choice((1, 2, 5, 10, 25, 50, 100, 500)),
        notes=rng.choice(NOTES),
        files=files,
        final=final,
        unit_price=Decimal(rng.randrange(150, 9000)) / 100,
        lead_time_days=rng.randrange(3, 30),
        quote_note=rng.choice(QUOTE_NOTES),
        cancel_after_quote=rng.random() < 0.5,
        bank_transfer=rng.random() < 0.2,
        declined_first=rng.random() < 0.1,
        card=rng.randrange(len(GOOD_CARDS)),
        tracking=f"Tracking SF{rng.randrange(10**9, 10**10)}",
        requested_at=_between(rng, start, now - dt.timedelta(days=1)),
    )


def customer_plan(*, seed: int, index: int, managers: int, now: dt.datetime) -> CustomerPlan:
    """The plan of customer `index`: the same for the same seed, whatever else is generated."""
    rng = random.Random(f"pledge-demo:{seed}:{index}")
    username = username_for(seed, index)
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    email = f"{username}@example.com"
    joined = now - dt.timedelta(days=rng.uniform(200, 1100))
    country = rng.choice(COUNTRIES)
    addresses = tuple(
        _address(rng, name, country if n == 0 else rng.choice(COUNTRIES), email, n)
        for n in range(rng.choice((1, 2, 2, 3)))
    )
    orders = tuple(
        sorted((_order(rng, joined, now) for _ in range(rng.randrange(4, 9))), key=lambda o: o.requested_at)
    )
    count = rng.randrange(30, 51)
    chat_start = _between(rng, joined, now - dt.timedelta(days=30))
    step = (now - chat_start) / (count + 1)
    messages = []
    for n in range(count):
        from_staff = n % 2 == 1 and rng.random() < 0.85
        attachment: tuple[str, int] | None = None
        if rng.random() < 0.05:
            attachment = (
                ("image", rng.randrange(12)) if rng.random() < 0.6 else ("model3d", rng.randrange(24))
            )
        body = rng.choice(CHAT_STAFF if from_staff else CHAT_CUSTOMER)
        messages.append(MessagePlan(from_staff, body, attachment, chat_start + step * (n + 1)))
    topic, subject_line, content = rng.choice(TICKETS)
    phone = rng.choice(mobile_numbers(country)) if rng.random() < 0.3 else ""
    replies = tuple(
        (n % 2 == 0, "Thank you, we are on it." if n % 2 == 0 else "Thanks!")
        for n in range(rng.randrange(0, 4))
    )
    log_start = now - dt.timedelta(days=WINDOW_LOG_DAYS - 1)
    ips = [_ip(rng) for _ in range(3)]
    logs = tuple(
        LogPlan(
            at=_between(rng, max(log_start, joined), now),
            ip=rng.choice(ips),
            agent=rng.randrange(len(AGENTS)),
            path=rng.choice(PAGES),
            method="GET" if rng.random() < 0.9 else "POST",
            status=rng.choice((200, 200, 200, 200, 302, 404)),
            response_ms=round(rng.uniform(3, 120), 2),
        )
        for _ in range(rng.randrange(80, 121))
    )
    consent_start = now - dt.timedelta(days=360)
    consents = []
    for n in range(rng.randrange(3, 8)):
        method = rng.choice(
            ("accept_all", "reject_all", "custom", "withdraw")
            if n
            else ("accept_all", "reject_all", "custom")
        )
        categories = (
            tuple(sorted(rng.sample(("performance", "functionality", "advertising"), rng.randrange(0, 3))))
            if method == "custom"
            else ()
        )
        consents.append(
            ConsentPlan(
                at=_between(rng, consent_start, now),
                method=method,
                categories=categories,
                language=rng.choice(("en", "en", "zh")),
                ip=rng.choice(ips),
                agent=rng.randrange(len(AGENTS)),
                country=country,
            )
        )
    consents.sort(key=lambda c: c.at)
    return CustomerPlan(
        index=index,
        username=username,
        email=email,
        registration_ip=ips[0],
        joined=joined,
        manager=index % managers,
        addresses=addresses,
        orders=orders,
        messages=tuple(messages),
        ticket=(topic, subject_line, content, email, phone),
        ticket_replies=replies,
        logs=logs,
        consents=tuple(consents),
        bank=(name, f"6222{rng.randrange(10**11, 10**12)}", "Demo Bank"),
    )
