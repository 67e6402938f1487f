"""E-mails come from templates and leave only when their transaction commits."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from assessments.models import Workspace
from assessments.services.emails import render_email, send_after_commit

pytestmark = pytest.mark.django_db


def test_subject_and_body_come_from_the_templates():
    message = render_email(
        "member-added",
        {
            "workspace": Workspace(name="Northwind"),
            "password_link": "https://x/r/",
            "username": "a",
        },
        to=["a@example.com"],
    )
    assert message.subject == "Northwind on Convergence"
    assert "Choose your password here: https://x/r/" in message.body
    assert message.alternatives == []  # no -body.html for this one


def test_nothing_is_sent_when_the_write_is_rolled_back(django_capture_on_commit_callbacks):
    context = {"workspace": Workspace(name="Northwind"), "password_link": "l", "username": "a"}
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                send_after_commit("member-added", context, to=["a@example.com"])
                raise RuntimeError("the write failed")
        except RuntimeError:
            pass
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        send_after_commit("member-added", context, to=["a@example.com"])
    assert [m.to for m in mail.outbox] == [["a@example.com"]]


def test_plain_text_mails_are_not_html_escaped_and_subjects_are_one_line():
    from assessments.models import Organization

    message = render_email(
        "viewer-invite",
        {"organization": Organization(name="Müller & Söhne\r\nBcc: x"), "password_link": "l"},
        to=["a@example.com"],
    )
    assert message.subject == "Müller & Söhne Bcc: x: your IT/OT convergence results"
    assert "read Müller & Söhne" in message.body
    nameless = render_email(
        "person-invitation", {"organization": Organization(name="Acme"), "link": "l"}, to=["a@b.c"]
    )
    assert nameless.body.startswith("Hello,\n")
