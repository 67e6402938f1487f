"""Workspace members and branding."""

from __future__ import annotations

import pytest
from django.core import mail

from assessments.errors import Refused
from assessments.models import Membership
from assessments.services.members import member_add, member_remove, workspace_branding_save
from tests import builders

pytestmark = pytest.mark.django_db


def _url(path: str) -> str:
    return f"https://convergence.example{path}"


def test_member_added_once_and_mailed_once(workspace, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert member_add(workspace=workspace, email="new@northwind.example", absolute_url=_url)
        assert not member_add(workspace=workspace, email="NEW@northwind.example", absolute_url=_url)
    assert Membership.objects.filter(user__email="new@northwind.example").count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Northwind on Convergence"
    assert "You have been added to Northwind as a consultant." in mail.outbox[0].body


def test_the_last_owner_stays_and_a_second_owner_may_go(workspace, owner):
    mine = Membership.objects.get(user=owner)
    with pytest.raises(Refused) as refused:
        member_remove(workspace=workspace, membership=mine)
    assert refused.value.lines == ["membership: a workspace keeps at least one owner"]
    other = builders.user("otto", workspace, role="owner")
    member_remove(workspace=workspace, membership=mine)
    assert list(Membership.objects.filter(workspace=workspace).values_list("user", flat=True)) == [
        other.pk
    ]


def test_a_member_of_another_workspace_is_not_removed(workspace, other_workspace, outsider):
    theirs = Membership.objects.get(user=outsider)
    with pytest.raises(Refused):
        member_remove(workspace=workspace, membership=theirs)
    assert Membership.objects.filter(pk=theirs.pk).exists()


def test_branding_keeps_or_removes_the_logo(workspace):
    workspace.logo = "logos/northwind.png"
    workspace.save()
    workspace_branding_save(
        workspace=workspace,
        name="Northwind",
        brand_colour="#123456",
        logo=None,
        paper_size="letter",
    )
    workspace.refresh_from_db()
    assert (workspace.brand_colour, workspace.paper_size, workspace.logo.name) == (
        "#123456",
        "letter",
        "logos/northwind.png",
    )
    workspace_branding_save(
        workspace=workspace, name="Northwind", brand_colour="#123456", logo=False, paper_size="a4"
    )
    workspace.refresh_from_db()
    assert not workspace.logo
