"""Writes of a consultancy's workspace: its members and its branding (what reports carry)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from assessments.errors import Refused
from assessments.models import Membership, Workspace
from assessments.services.accounts import password_link, user_for_email
from assessments.services.emails import send_after_commit
from assessments.services.tokens import tokens_revoke_all


def member_add(*, workspace: Workspace, email: str, absolute_url: Callable[[str], str]) -> bool:
    """Add `email` as a consultant and mail them a link to choose a password; False if they
    were a member already (nothing is sent then)."""
    with transaction.atomic():
        user = user_for_email(email)
        _membership, created = Membership.objects.get_or_create(user=user, workspace=workspace)
        if created:
            send_after_commit(
                "member-added",
                {
                    "workspace": workspace,
                    "password_link": absolute_url(password_link(user)),
                    "username": user.get_username(),
                },
                to=[email],
            )
    return created


def member_remove(*, workspace: Workspace, membership: Membership) -> None:
    """Remove a member; a workspace keeps at least one owner."""
    with transaction.atomic():
        if membership.workspace_id != workspace.pk:
            raise Refused.at("membership", _("not a member of this workspace"))
        owners = Membership.objects.select_for_update().filter(
            workspace=workspace, role=Membership.Role.OWNER
        )
        if membership.role == Membership.Role.OWNER and list(owners) == [membership]:
            raise Refused.at("membership", _("a workspace keeps at least one owner"))
        membership.delete()
        # Their API tokens opened this workspace's campaigns: they stop now.
        tokens_revoke_all(user=membership.user)


def workspace_branding_save(
    *, workspace: Workspace, name: str, brand_colour: str, logo: Any, paper_size: str
) -> Workspace:
    """Name, logo, colour and paper of the reports made from now on (`logo=False` removes
    the logo, `None` keeps it)."""
    workspace.name, workspace.brand_colour, workspace.paper_size = name, brand_colour, paper_size
    if logo is False:
        workspace.logo = None
    elif logo is not None:
        workspace.logo = logo
    workspace.save()
    return workspace
