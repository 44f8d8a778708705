"""`pledge staff add|role|assign|reset-2fa`: manage staff accounts from the command line."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import actions
from accounts.models import STAFF_ROLES, Role, User


def _find(identifier: str) -> User:
    user = User.objects.find(identifier)
    if user is None:
        raise CommandError(f"No account has the username or e-mail address {identifier!r}.")
    return user


class Command(BaseCommand):
    help = "Add staff accounts, change roles, assign account managers, remove a lost second factor."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        add = sub.add_parser("add", help="create a staff account (prompts for the password)")
        add.add_argument("--role", required=True, choices=sorted(STAFF_ROLES))
        add.add_argument("--username", required=True)
        add.add_argument("--email", required=True)
        role = sub.add_parser("role", help="change someone's role")
        role.add_argument("identifier")
        role.add_argument("role", choices=Role.values)
        assign = sub.add_parser("assign", help="give a customer an account manager")
        assign.add_argument("customer")
        assign.add_argument("manager", nargs="?", help="omit to remove the manager")
        reset = sub.add_parser("reset-2fa", help="remove a staff member's TOTP factor")
        reset.add_argument("identifier")
        parser.add_argument("--actor", help="username of the administrator acting (for the audit trail)")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = _find(options["actor"]) if options.get("actor") else None
        verb = options["verb"]
        try:
            if verb == "add":
                password = getpass.getpass("Password: ")
                if password != getpass.getpass("Password (again): "):
                    raise CommandError("The passwords differ.")
                actions.create_staff_user(
                    username=options["username"],
                    email=options["email"],
                    password=password,
                    role=options["role"],
                    actor=actor,
                )
                self.stdout.write("Created. They enrol their second factor at their first log-in.")
                return
            if actor is None:
                raise CommandError("Name the administrator acting with --actor USERNAME.")
            if verb == "role":
                actions.set_role(user=_find(options["identifier"]), role=options["role"], actor=actor)
            elif verb == "assign":
                manager = _find(options["manager"]) if options.get("manager") else None
                actions.assign_account_manager(
                    customer=_find(options["customer"]), manager=manager, actor=actor
                )
            elif verb == "reset-2fa":
                actions.reset_second_factor(user=_find(options["identifier"]), actor=actor)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write("Done.")
