"""E-mails built from templates and sent only once the transaction that asked for them commits.

An e-mail named `viewer-invite` is `templates/emails/viewer-invite-subject.txt` (one line),
`-body.txt`, and, when it exists, `-body.html` as the HTML alternative. Sending after commit
means a refused or rolled-back write never mails anyone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string


def render_email(name: str, context: Mapping[str, Any], *, to: list[str]) -> EmailMultiAlternatives:
    """The message `name` for `to`, rendered now (in the active language)."""
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    body = render_to_string(f"emails/{name}-body.txt", context)
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    try:
        html = render_to_string(f"emails/{name}-body.html", context)
    except TemplateDoesNotExist:
        return message
    message.attach_alternative(html, "text/html")
    return message


def send_after_commit(name: str, context: Mapping[str, Any], *, to: list[str]) -> None:
    """Render `name` now; send it when the surrounding transaction commits (at once if none)."""
    message = render_email(name, context, to=to)
    transaction.on_commit(message.send)
