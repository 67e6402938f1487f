"""Writes of a client organisation: the organisation itself, its sites and teams, and the
client viewers who may read its dashboards (an organisation file's import is
`files/organizations.py`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from assessments.errors import Refused
from assessments.models import ClientViewer, Membership, Organization, Site, Team, Workspace
from assessments.services.accounts import password_link, user_for_email
from assessments.services.emails import send_after_commit


def organization_create(
    *, workspace: Workspace, name: str, slug: str, industry: str = ""
) -> Organization:
    organization = Organization(workspace=workspace, name=name, slug=slug, industry=industry)
    return _saved(organization, _("This slug is not available; choose another."))


def organization_update(*, organization: Organization, name: str, industry: str) -> Organization:
    """Rename; the slug stays (addresses and files use it)."""
    organization.name, organization.industry = name, industry
    try:
        organization.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise Refused.from_validation(error) from None
    organization.save(update_fields=["name", "industry"])
    return organization


def site_save(
    *, organization: Organization, site: Site | None = None, name: str, slug: str, country: str
) -> Site:
    """Create a site (`site=None`) or change one of `organization`'s sites."""
    site = site or Site(organization=organization)
    if site.organization_id != organization.pk:
        raise Refused.at("site", _("not a site of this organisation"))
    site.name, site.slug, site.country = name, slug, country
    return _saved(site, _("Another site of this organisation uses this slug."))


def team_save(
    *,
    organization: Organization,
    team: Team | None = None,
    name: str,
    slug: str,
    function: str,
    site: Site | None,
    headcount: int | None,
) -> Team:
    """Create a team (`team=None`) or change one of `organization`'s teams."""
    team = team or Team(organization=organization)
    if team.organization_id != organization.pk:
        raise Refused.at("team", _("not a team of this organisation"))
    if site is not None and site.organization_id != organization.pk:
        raise Refused.at("site", _("not a site of this organisation"))
    team.name, team.slug, team.function = name, slug, function
    team.site, team.headcount = site, headcount
    return _saved(team, _("Another team of this organisation uses this slug."))


def _saved(row: Any, clash: Any) -> Any:
    """Save after the model's own checks (no control characters in names, slug shape); a
    slug clash found by the database is refused at the slug."""
    try:
        row.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise Refused.from_validation(error) from None
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise Refused.at("slug", clash) from None
    return row


@dataclass(frozen=True)
class ViewerInvite:
    viewer: ClientViewer
    created: bool  # False: an existing viewer was sent a new link


def viewer_invite(
    *,
    organization: Organization,
    email: str,
    invited_by: Any,
    absolute_url: Callable[[str], str],
) -> ViewerInvite:
    """Give `email` read access to the organisation's dashboards and reports, and mail them a
    link to choose their password (again, if they are already a viewer)."""
    with transaction.atomic():
        user = user_for_email(email)
        if Membership.objects.filter(user=user).exists():
            raise Refused.at(
                "email",
                _("%(email)s is a consultant account; invite another address"),
                email=email,
            )
        viewer, created = ClientViewer.objects.get_or_create(
            user=user, organization=organization, defaults={"invited_by": invited_by}
        )
        send_after_commit(
            "viewer-invite",
            {
                "organization": organization,
                "password_link": absolute_url(password_link(user)),
                "username": user.get_username(),
            },
            to=[email],
        )
    return ViewerInvite(viewer, created)


def viewer_remove(*, organization: Organization, viewer: ClientViewer) -> None:
    if viewer.organization_id != organization.pk:
        raise Refused.at("viewer", _("not a viewer of this organisation"))
    viewer.delete()
