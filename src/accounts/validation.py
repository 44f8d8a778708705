"""Rules for what a person may type as a username, an e-mail address or a password.

Shared by the HTML forms and the JSON API through the actions, so both give the same
messages. Errors are `ValidationError`s keyed by field name.
"""

from __future__ import annotations

import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from accounts.models import USERNAME_PATTERN, User

USERNAME = re.compile(USERNAME_PATTERN)


def username_problems(username: str) -> list[str]:
    if not USERNAME.match(username):
        return [
            _(
                "Use 3 to 30 letters, digits, dots, dashes or underscores, starting with a letter or digit "
                "(no spaces or @)."
            )
        ]
    return []


def email_problems(email: str) -> list[str]:
    if len(email) > 254:
        return [_("That e-mail address is too long.")]
    try:
        validate_email(email)
    except ValidationError:
        return [_("Enter a valid e-mail address, like name@example.com.")]
    return []


def password_problems(password: str, *, username: str, email: str) -> list[str]:
    try:
        validate_password(password, user=User(username=username, email=email))
    except ValidationError as problems:
        return list(problems.messages)
    return []


def raise_if_any(problems: dict[str, list[str]]) -> None:
    found = {field: messages for field, messages in problems.items() if messages}
    if found:
        raise ValidationError(found)
