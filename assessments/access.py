"""Who may see what. Every view starts from one of these loaders (docs/architecture.md):

- a member (owner or consultant) of the organisation's workspace may do everything;
- a client viewer of the organisation may read its dashboards and reports: anything that
  manages or writes is 403 for them;
- anyone else gets 404, as if the thing did not exist.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from assessments.models import Campaign, ClientViewer, Membership, Organization, Workspace
from assessments.security import refused


def _not_found(request: HttpRequest, what: str) -> Http404:
    refused(request, 404, what)
    return Http404()


def _forbidden(request: HttpRequest, message: str) -> PermissionDenied:
    refused(request, 403, message)
    return PermissionDenied(message)


def current_user(request: HttpRequest) -> Any:
    if not request.user.is_authenticated:
        # Views are behind login_required; this is a second lock.
        raise _not_found(request, "not logged in")
    return request.user


def member_workspaces(request: HttpRequest) -> QuerySet[Workspace]:
    return Workspace.objects.filter(memberships__user=current_user(request))


def is_member(request: HttpRequest, workspace_id: int) -> bool:
    return Membership.objects.filter(user=current_user(request), workspace_id=workspace_id).exists()


def is_owner(request: HttpRequest, workspace_id: int) -> bool:
    return Membership.objects.filter(
        user=current_user(request), workspace_id=workspace_id, role=Membership.Role.OWNER
    ).exists()


def forbidden(request: HttpRequest, message: str) -> PermissionDenied:
    """A member who may not do this (not an owner): 403, logged."""
    return _forbidden(request, message)


def visible_organizations(request: HttpRequest) -> QuerySet[Organization]:
    user = current_user(request)
    return Organization.objects.filter(
        Q(workspace__memberships__user=user) | Q(viewers__user=user)
    ).distinct()


def _check(request: HttpRequest, organization: Organization, *, manage: bool) -> None:
    if is_member(request, organization.workspace_id):
        return
    if ClientViewer.objects.filter(user=current_user(request), organization=organization).exists():
        if manage:
            raise _forbidden(request, "Client viewers can read dashboards and reports only.")
        return
    raise _not_found(request, f"not a member or viewer of organisation {organization.slug}")


def get_organization_for_user(
    request: HttpRequest, slug: str, *, manage: bool = True
) -> Organization:
    organization = Organization.objects.select_related("workspace").filter(slug=slug).first()
    if organization is None:
        raise _not_found(request, "no such organisation")
    _check(request, organization, manage=manage)
    return organization


def get_campaign_for_user(request: HttpRequest, slug: str, *, manage: bool = True) -> Campaign:
    campaign = (
        Campaign.objects.select_related("organization__workspace", "bank_version__bank", "baseline")
        .filter(slug=slug)
        .first()
    )
    if campaign is None:
        raise _not_found(request, "no such campaign")
    _check(request, campaign.organization, manage=manage)
    return campaign


def get_owned_workspace(request: HttpRequest, slug: str) -> Workspace:
    """Only an owner manages a workspace's members."""
    membership = (
        Membership.objects.select_related("workspace")
        .filter(user=current_user(request), workspace__slug=slug)
        .first()
    )
    if membership is None:
        raise _not_found(request, "not a member of this workspace")
    if membership.role != Membership.Role.OWNER:
        raise _forbidden(request, "Only an owner of the workspace manages its members.")
    return membership.workspace
