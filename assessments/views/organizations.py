"""The consultant's home, client organisations, their sites, teams and client viewers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import access
from assessments.errors import Refused
from assessments.files.formats import guess_format, read_upload
from assessments.files.organizations import MAX_FILE_BYTES, organization_import
from assessments.forms import (
    EmailInviteForm,
    OrganizationForm,
    OrganizationUploadForm,
    SiteForm,
    TeamForm,
    posted,
)
from assessments.models import ClientViewer, Membership, Site, Team
from assessments.outputs.dashboard import organization_overview
from assessments.services.organizations import (
    organization_create as create_organization,
)
from assessments.services.organizations import (
    organization_update,
    site_save,
    team_save,
    viewer_invite,
    viewer_remove,
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    organizations = access.visible_organizations(request).select_related("workspace")
    if query:
        organizations = organizations.filter(Q(name__icontains=query) | Q(slug__icontains=query))
    organizations = organizations.annotate(campaign_count=Count("campaigns", distinct=True))
    return render(
        request,
        "assessments/home.html",
        {
            "organizations": organizations.order_by("name"),
            "query": query,
            "workspaces": list(access.member_workspaces(request)),
            "owned": [
                m.workspace
                for m in Membership.objects.filter(
                    user=access.current_user(request), role=Membership.Role.OWNER
                ).select_related("workspace")
            ],
        },
    )


def _default_workspace(request: HttpRequest) -> Any:
    workspace = access.member_workspaces(request).first()
    if workspace is None:
        raise PermissionDenied("You are not a member of any workspace.")
    return workspace


@login_required
def organization_create(request: HttpRequest) -> HttpResponse:
    workspace = _default_workspace(request)
    form = OrganizationForm(posted(request)[0])
    form.instance.workspace = workspace
    if request.method == "POST" and form.is_valid():
        try:
            organization = create_organization(workspace=workspace, **form.cleaned_data)
        except Refused as exc:
            exc.add_to_form(form)
        else:
            messages.success(request, _("Created %(name)s.") % {"name": organization.name})
            return redirect("assessments:organization-detail", slug=organization.slug)
    return render(request, "assessments/form.html", {"form": form, "title": _("New organisation")})


@login_required
def organization_upload(request: HttpRequest) -> HttpResponse:
    workspace = _default_workspace(request)
    form = OrganizationUploadForm(*posted(request))
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = organization_import(
                data=read_upload(upload, MAX_FILE_BYTES),
                fmt=guess_format(upload.name),
                workspace=workspace,
            )
        except Refused as exc:
            problems = exc.lines
        else:
            messages.success(request, result.message)
            return redirect("assessments:organization-detail", slug=result.organization.slug)
    return render(
        request,
        "assessments/form.html",
        {
            "form": form,
            "title": _("Upload an organisation file"),
            "problems": problems,
            "multipart": True,
            "help": _("See docs/file-formats.md for the format."),
        },
    )


@login_required
def organization_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organization = access.get_organization_for_user(request, slug, manage=False)
    manage = access.is_member(request, organization.workspace_id)
    campaigns = organization.campaigns.select_related("bank_version__bank").annotate(
        submitted=Count(
            "responses",
            filter=Q(responses__submitted_at__isnull=False, responses__discarded_at__isnull=True),
        )
    )
    return render(
        request,
        "assessments/organization_detail.html",
        {
            "organization": organization,
            "manage": manage,
            "campaigns": campaigns,
            "sites": organization.sites.all() if manage else [],
            "teams": organization.teams.select_related("site") if manage else [],
            "viewers": organization.viewers.select_related("user") if manage else [],
            "viewer_form": EmailInviteForm(),
            **organization_overview(organization),
        },
    )


@login_required
def organization_edit(request: HttpRequest, slug: str) -> HttpResponse:
    organization = access.get_organization_for_user(request, slug)
    form = OrganizationForm(posted(request)[0], instance=organization)
    if request.method == "POST" and form.is_valid():
        organization_update(
            organization=organization,
            name=form.cleaned_data["name"],
            industry=form.cleaned_data["industry"],
        )
        messages.success(request, _("Saved."))
        return redirect("assessments:organization-detail", slug=organization.slug)
    return render(
        request,
        "assessments/form.html",
        {
            "form": form,
            "title": _("Edit %(name)s") % {"name": organization.name},
            "organization": organization,
        },
    )


# A site or a team: its model, its form and the service that saves it.
_CHILDREN: dict[str, tuple[Any, Any, Callable[..., Any]]] = {
    "site": (Site, SiteForm, site_save),
    "team": (Team, TeamForm, team_save),
}


def _child_form(request: HttpRequest, slug: str, what: str, child_slug: str | None) -> HttpResponse:
    """Create (`child_slug=None`) or edit a site or a team of an organisation."""
    model, form_class, service = _CHILDREN[what]
    organization = access.get_organization_for_user(request, slug)
    row = (
        get_object_or_404(model, organization=organization, slug=child_slug) if child_slug else None
    )
    form = form_class(posted(request)[0], instance=row, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            saved = service(organization=organization, **{what: row}, **form.cleaned_data)
        except Refused as exc:
            exc.add_to_form(form)
        else:
            saved_text = _("Saved site %(name)s.") if what == "site" else _("Saved team %(name)s.")
            messages.success(request, saved_text % {"name": saved.name})
            return redirect("assessments:organization-detail", slug=organization.slug)
    if what == "site":
        title = _("Edit site %(name)s") % {"name": row.name} if row else _("New site")
    else:
        title = _("Edit team %(name)s") % {"name": row.name} if row else _("New team")
    return render(
        request,
        "assessments/form.html",
        {"form": form, "title": title, "organization": organization},
    )


@login_required
def site_create(request: HttpRequest, slug: str) -> HttpResponse:
    return _child_form(request, slug, "site", None)


@login_required
def site_edit(request: HttpRequest, slug: str, site: str) -> HttpResponse:
    return _child_form(request, slug, "site", site)


@login_required
def team_create(request: HttpRequest, slug: str) -> HttpResponse:
    return _child_form(request, slug, "team", None)


@login_required
def team_edit(request: HttpRequest, slug: str, team: str) -> HttpResponse:
    return _child_form(request, slug, "team", team)


@login_required
@require_POST
def viewer_invite_view(request: HttpRequest, slug: str) -> HttpResponse:
    organization = access.get_organization_for_user(request, slug)
    form = EmailInviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid e-mail address to invite a client viewer."))
        return redirect("assessments:organization-detail", slug=organization.slug)
    email = form.cleaned_data["email"]
    try:
        invited = viewer_invite(
            organization=organization,
            email=email,
            invited_by=request.user,
            absolute_url=request.build_absolute_uri,
        )
    except Refused as exc:
        messages.error(request, exc.sentence)
    else:
        messages.success(
            request,
            (
                _("Invited %(email)s as a client viewer.")
                if invited.created
                else _("Sent %(email)s a new link.")
            )
            % {"email": email},
        )
    return redirect("assessments:organization-detail", slug=organization.slug)


@login_required
@require_POST
def viewer_remove_view(request: HttpRequest, slug: str, viewer: int) -> HttpResponse:
    organization = access.get_organization_for_user(request, slug)
    target = get_object_or_404(ClientViewer, organization=organization, pk=viewer)
    viewer_remove(organization=organization, viewer=target)
    messages.success(request, _("Removed the client viewer."))
    return redirect("assessments:organization-detail", slug=organization.slug)
