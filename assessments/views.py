"""Consultant pages: organisations, sites, teams, campaigns, invitations, members.

Every view starts with a loader from `access.py`: an outsider gets 404, a client viewer 403
on anything that manages. Writes that involve rules go through the services.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views.decorators.http import require_POST

from . import access, charts, exports
from .campaigns import (
    agreed_answer_record,
    campaign_close,
    campaign_create,
    campaign_open,
    campaign_update_settings,
    parking_note_add,
)
from .dashboard import (
    Chart,
    consensus_context,
    dashboard_context,
    filter_from_request,
    labels_for,
    organization_overview,
)
from .deck import campaign_deck
from .fileformats import ImportProblems, guess_format, read_upload
from .forms import (
    CampaignForm,
    EmailInviteForm,
    OrganizationForm,
    OrganizationUploadForm,
    PersonInvitationForm,
    SiteForm,
    TeamForm,
    TeamLinkForm,
    WorkspaceSettingsForm,
    posted,
)
from .models import (
    FUNCTION_KEYS,
    Campaign,
    ClientViewer,
    Function,
    Invitation,
    Membership,
    Question,
    Response,
    Workshop,
)
from .organizations import MAX_FILE_BYTES as ORG_MAX_BYTES
from .organizations import organization_import
from .pdf_render import RenderError
from .report import campaign_report_pdf
from .selectors import campaign_snapshot
from .survey import invitation_create, invitation_revoke
from .workshops import room_state, workshop_for, workshop_set_state

# --- Home and organisations ----------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    organizations = access.visible_organizations(request).select_related("workspace")
    if query:
        organizations = organizations.filter(Q(name__icontains=query) | Q(slug__icontains=query))
    organizations = organizations.annotate(campaign_count=Count("campaigns", distinct=True))
    workspaces = list(access.member_workspaces(request))
    return render(
        request,
        "assessments/home.html",
        {
            "organizations": organizations.order_by("name"),
            "query": query,
            "workspaces": workspaces,
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
        organization = form.save()
        messages.success(request, f"Created {organization.name}.")
        return redirect("assessments:organization-detail", slug=organization.slug)
    return render(request, "assessments/form.html", {"form": form, "title": "New organisation"})


@login_required
def organization_upload(request: HttpRequest) -> HttpResponse:
    workspace = _default_workspace(request)
    form = OrganizationUploadForm(*posted(request))
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = organization_import(
                data=read_upload(upload, ORG_MAX_BYTES),
                fmt=guess_format(upload.name),
                workspace=workspace,
            )
        except ImportProblems as exc:
            problems = exc.problems
        else:
            messages.success(request, result.message)
            return redirect("assessments:organization-detail", slug=result.organization.slug)
    return render(
        request,
        "assessments/form.html",
        {
            "form": form,
            "title": "Upload an organisation file",
            "problems": problems,
            "multipart": True,
            "help": "See docs/file-formats.md for the format.",
        },
    )


@login_required
def organization_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organization = access.get_organization_for_user(request, slug, manage=False)
    manage = access.is_member(request, organization.workspace_id)
    campaigns = organization.campaigns.select_related("bank_version__bank").annotate(
        submitted=Count("responses", filter=Q(responses__submitted_at__isnull=False))
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
        form.save()
        messages.success(request, "Saved.")
        return redirect("assessments:organization-detail", slug=organization.slug)
    return render(
        request,
        "assessments/form.html",
        {"form": form, "title": f"Edit {organization.name}", "organization": organization},
    )


def _org_child_form(
    request: HttpRequest, slug: str, form_class: Any, child_slug: str | None, what: str
) -> HttpResponse:
    """Create or edit a site or team (the form's model) of an organisation."""
    organization = access.get_organization_for_user(request, slug)
    instance = None
    if child_slug is not None:
        model = form_class._meta.model
        instance = get_object_or_404(model, organization=organization, slug=child_slug)
    form = form_class(posted(request)[0], instance=instance, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                saved = form.save()
        except IntegrityError:
            form.add_error("slug", f"Another {what} of this organisation uses this slug.")
        else:
            messages.success(request, f"Saved {what} {saved.name}.")
            return redirect("assessments:organization-detail", slug=organization.slug)
    title = f"Edit {what} {instance.name}" if instance else f"New {what}"
    return render(
        request,
        "assessments/form.html",
        {"form": form, "title": title, "organization": organization},
    )


@login_required
def site_create(request: HttpRequest, slug: str) -> HttpResponse:
    return _org_child_form(request, slug, SiteForm, None, "site")


@login_required
def site_edit(request: HttpRequest, slug: str, site: str) -> HttpResponse:
    return _org_child_form(request, slug, SiteForm, site, "site")


@login_required
def team_create(request: HttpRequest, slug: str) -> HttpResponse:
    return _org_child_form(request, slug, TeamForm, None, "team")


@login_required
def team_edit(request: HttpRequest, slug: str, team: str) -> HttpResponse:
    return _org_child_form(request, slug, TeamForm, team, "team")


def _set_password_link(request: HttpRequest, user: Any) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return request.build_absolute_uri(
        reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    )


def _user_for_email(email: str) -> Any:
    user_model = get_user_model()
    user = user_model.objects.filter(email__iexact=email).first()
    if user is None:
        user = user_model.objects.create_user(username=email.lower(), email=email.lower())
        user.set_unusable_password()
        user.save()
    return user


@login_required
@require_POST
def viewer_invite(request: HttpRequest, slug: str) -> HttpResponse:
    organization = access.get_organization_for_user(request, slug)
    form = EmailInviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a valid e-mail address to invite a client viewer.")
        return redirect("assessments:organization-detail", slug=organization.slug)
    email = form.cleaned_data["email"]
    with transaction.atomic():
        user = _user_for_email(email)
        if Membership.objects.filter(user=user).exists():
            messages.error(request, f"{email} is a consultant account; invite another address.")
            return redirect("assessments:organization-detail", slug=organization.slug)
        _, created = ClientViewer.objects.get_or_create(
            user=user, organization=organization, defaults={"invited_by": request.user}
        )
    link = _set_password_link(request, user)
    send_mail(
        f"{organization.name}: your IT/OT convergence results",
        f"You have been invited to read {organization.name}'s IT/OT convergence dashboards "
        f"and reports.\n\nChoose your password here: {link}\n\nYour username is "
        f"{user.get_username()}.",
        settings.DEFAULT_FROM_EMAIL,
        [email],
    )
    messages.success(
        request, f"Invited {email} as a client viewer." if created else f"Sent {email} a new link."
    )
    return redirect("assessments:organization-detail", slug=organization.slug)


@login_required
@require_POST
def viewer_remove(request: HttpRequest, slug: str, viewer: int) -> HttpResponse:
    organization = access.get_organization_for_user(request, slug)
    get_object_or_404(ClientViewer, organization=organization, pk=viewer).delete()
    messages.success(request, "Removed the client viewer.")
    return redirect("assessments:organization-detail", slug=organization.slug)


# --- Members (owners) ----------------------------------------------------------------------


@login_required
def members(request: HttpRequest, workspace: str) -> HttpResponse:
    ws = access.get_owned_workspace(request, workspace)
    form = EmailInviteForm(posted(request)[0])
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        with transaction.atomic():
            user = _user_for_email(email)
            _, created = Membership.objects.get_or_create(user=user, workspace=ws)
        if created:
            send_mail(
                f"{ws.name} on Convergence",
                f"You have been added to {ws.name} as a consultant.\n\nChoose your password "
                f"here: {_set_password_link(request, user)}\n\nYour username is "
                f"{user.get_username()}.",
                settings.DEFAULT_FROM_EMAIL,
                [email],
            )
            messages.success(request, f"Added {email} as a consultant.")
        else:
            messages.info(request, f"{email} is already a member.")
        return redirect("assessments:members", workspace=ws.slug)
    return render(
        request,
        "assessments/members.html",
        {
            "workspace": ws,
            "form": form,
            "memberships": ws.memberships.select_related("user").order_by("user__username"),
        },
    )


@login_required
@require_POST
def workspace_settings(request: HttpRequest, workspace: str) -> HttpResponse:
    ws = access.get_owned_workspace(request, workspace)
    form = WorkspaceSettingsForm(request.POST, request.FILES, instance=ws)
    if form.is_valid():
        form.save()
        messages.success(request, "Saved the workspace settings: new reports use them.")
    else:
        problems = [f"{field}: {' '.join(map(str, errs))}" for field, errs in form.errors.items()]
        messages.error(request, "Not saved. " + "; ".join(problems))
    return redirect("assessments:members", workspace=ws.slug)


@login_required
@require_POST
def member_remove(request: HttpRequest, workspace: str, membership: int) -> HttpResponse:
    ws = access.get_owned_workspace(request, workspace)
    target = get_object_or_404(Membership, workspace=ws, pk=membership)
    owners = ws.memberships.filter(role=Membership.Role.OWNER).count()
    if target.role == Membership.Role.OWNER and owners == 1:
        messages.error(request, "A workspace keeps at least one owner.")
    else:
        target.delete()
        messages.success(request, f"Removed {target.user.get_username()}.")
    return redirect("assessments:members", workspace=ws.slug)


# --- Campaigns -----------------------------------------------------------------------------


def _problems_to_form(form: Any, problems: list[str]) -> None:
    for problem in problems:
        field, _, message = problem.partition(": ")
        field = {"bank": "bank_version"}.get(field, field)
        form.add_error(field if field in form.fields else None, message or problem)


@login_required
def campaign_new(request: HttpRequest, slug: str) -> HttpResponse:
    organization = access.get_organization_for_user(request, slug)
    form = CampaignForm(posted(request)[0], organization=organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                campaign = campaign_create(
                    slug=data["slug"],
                    organization=organization,
                    bank_version=data["bank_version"],
                    name=data["name"],
                    min_group_size=data["min_group_size"],
                    gap_threshold=data["gap_threshold"],
                )
                campaign.opens_on, campaign.closes_on = data["opens_on"], data["closes_on"]
                campaign.save(update_fields=["opens_on", "closes_on"])
                campaign.teams.set(data["teams"])
        except ImportProblems as exc:
            _problems_to_form(form, exc.problems)
        else:
            messages.success(
                request,
                f"Created {campaign.name}. Set targets below, then open it to collect answers.",
            )
            return redirect("assessments:campaign-edit", slug=campaign.slug)
    return render(
        request,
        "assessments/form.html",
        {
            "form": form,
            "title": f"New campaign for {organization.name}",
            "organization": organization,
        },
    )


@login_required
def campaign_edit(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = access.get_campaign_for_user(request, slug)
    form = CampaignForm(posted(request)[0], instance=campaign, organization=campaign.organization)
    if campaign.is_closed:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and form.is_valid() and not campaign.is_closed:
        data = form.cleaned_data
        try:
            with transaction.atomic():
                campaign_update_settings(
                    campaign=campaign,
                    min_group_size=data["min_group_size"],
                    gap_threshold=data["gap_threshold"],
                    targets=form.targets(),
                )
                Campaign.objects.filter(pk=campaign.pk).update(
                    name=data["name"], opens_on=data["opens_on"], closes_on=data["closes_on"]
                )
                campaign.teams.set(data["teams"])
        except ImportProblems as exc:
            _problems_to_form(form, exc.problems)
        else:
            messages.success(request, "Saved the campaign's settings.")
            return redirect("assessments:campaign-detail", slug=campaign.slug)
    return render(
        request,
        "assessments/form.html",
        {
            "form": form,
            "title": f"Settings of {campaign.name}",
            "campaign": campaign,
            "organization": campaign.organization,
            "help": "This campaign is closed: its settings no longer change."
            if campaign.is_closed
            else "",
        },
    )


def completion(campaign: Campaign) -> dict[str, Any]:
    """Counts per team and per function: started and submitted. Never who answered what."""
    rows = (
        Response.objects.filter(campaign=campaign)
        .order_by()
        .values("team_id", "function")
        .annotate(
            submitted=Count("id", filter=Q(submitted_at__isnull=False)),
            in_progress=Count("id", filter=Q(submitted_at__isnull=True)),
        )
    )
    by_team: dict[int | None, dict[str, int]] = {}
    by_function = {f: {"submitted": 0, "in_progress": 0} for f in FUNCTION_KEYS}
    for row in rows:
        team = by_team.setdefault(row["team_id"], {"submitted": 0, "in_progress": 0})
        for key in ("submitted", "in_progress"):
            team[key] += row[key]
            by_function[row["function"]][key] += row[key]
    scope = list(campaign.teams.all()) or list(campaign.organization.teams.all())
    teams = [(team, by_team.get(team.pk, {"submitted": 0, "in_progress": 0})) for team in scope]
    no_team = by_team.get(None)
    return {
        "teams": teams,
        "no_team": no_team,
        "functions": [(Function(f).label, counts) for f, counts in by_function.items()],
        "submitted": sum(c["submitted"] for c in by_function.values()),
        "in_progress": sum(c["in_progress"] for c in by_function.values()),
    }


@login_required
def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = access.get_campaign_for_user(request, slug)
    organization = campaign.organization
    invitations = campaign.invitations.select_related("team").annotate(started=Count("responses"))
    return render(
        request,
        "assessments/campaign_detail.html",
        {
            "campaign": campaign,
            "organization": organization,
            "completion": completion(campaign),
            "person_links": [i for i in invitations if i.kind == Invitation.Kind.PERSON],
            "team_links": [i for i in invitations if i.kind == Invitation.Kind.TEAM],
            "person_form": PersonInvitationForm(organization=organization, prefix="person"),
            "team_form": TeamLinkForm(organization=organization, prefix="join"),
        },
    )


@login_required
def campaign_completion(request: HttpRequest, slug: str) -> HttpResponse:
    """The completion tracker alone, for htmx polling on the campaign page."""
    campaign = access.get_campaign_for_user(request, slug)
    return render(
        request,
        "assessments/_completion.html",
        {"campaign": campaign, "completion": completion(campaign)},
    )


@login_required
@require_POST
def campaign_open_view(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = access.get_campaign_for_user(request, slug)
    try:
        campaign_open(campaign=campaign)
    except ImportProblems as exc:
        messages.error(request, " ".join(exc.problems))
    else:
        messages.success(request, f"{campaign.name} is open: invitation links now work.")
    return redirect("assessments:campaign-detail", slug=campaign.slug)


@login_required
@require_POST
def campaign_close_view(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = access.get_campaign_for_user(request, slug)
    try:
        campaign_close(campaign=campaign)
    except ImportProblems as exc:
        messages.error(request, " ".join(exc.problems))
    else:
        messages.success(
            request, f"{campaign.name} is closed: links stop working and its scores are final."
        )
    return redirect("assessments:campaign-detail", slug=campaign.slug)


# --- Invitations ---------------------------------------------------------------------------


def _remember_new_link(request: HttpRequest, invitation: Invitation, token: str) -> None:
    request.session["new_link"] = {"id": invitation.pk, "token": token}


@login_required
@require_POST
def invitation_person(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = access.get_campaign_for_user(request, slug)
    form = PersonInvitationForm(request.POST, organization=campaign.organization, prefix="person")
    if not form.is_valid():
        messages.error(request, "Check the invitation: " + form.errors.as_text())
        return redirect("assessments:campaign-detail", slug=campaign.slug)
    try:
        new = invitation_create(
            campaign=campaign,
            kind=Invitation.Kind.PERSON,
            team=form.cleaned_data["team"],
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            created_by=request.user,
        )
    except ImportProblems as exc:
        messages.error(request, " ".join(exc.problems))
        return redirect("assessments:campaign-detail", slug=campaign.slug)
    if new.invitation.email:
        link = request.build_absolute_uri(reverse("assessments:link-open", args=[new.token]))
        send_mail(
            f"{campaign.organization.name}: IT/OT convergence assessment",
            f"Hello {new.invitation.name or ''},\n\nplease answer the IT/OT convergence "
            f"assessment of {campaign.organization.name}. It takes about ten minutes and "
            f"works on a phone.\n\n{link}\n\nThe link is personal: please do not forward it.",
            settings.DEFAULT_FROM_EMAIL,
            [new.invitation.email],
        )
    _remember_new_link(request, new.invitation, new.token)
    return redirect("assessments:invitation-created", slug=campaign.slug)


@login_required
@require_POST
def invitation_team(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = access.get_campaign_for_user(request, slug)
    form = TeamLinkForm(request.POST, organization=campaign.organization, prefix="join")
    if not form.is_valid():
        messages.error(request, "Choose a team for the join link.")
        return redirect("assessments:campaign-detail", slug=campaign.slug)
    try:
        new = invitation_create(
            campaign=campaign,
            kind=Invitation.Kind.TEAM,
            team=form.cleaned_data["team"],
            created_by=request.user,
        )
    except ImportProblems as exc:
        messages.error(request, " ".join(exc.problems))
        return redirect("assessments:campaign-detail", slug=campaign.slug)
    _remember_new_link(request, new.invitation, new.token)
    return redirect("assessments:invitation-created", slug=campaign.slug)


@login_required
def invitation_created(request: HttpRequest, slug: str) -> HttpResponse:
    """Shows a new link once (only its hash is stored), with its QR code for printing."""
    import segno

    campaign = access.get_campaign_for_user(request, slug)
    new = request.session.pop("new_link", None)
    invitation = None
    if new:
        invitation = Invitation.objects.filter(pk=new["id"], campaign=campaign).first()
    if invitation is None:
        messages.info(
            request,
            "A link is shown only once, when it is made. Create a new one if you need it.",
        )
        return redirect("assessments:campaign-detail", slug=campaign.slug)
    link = request.build_absolute_uri(reverse("assessments:link-open", args=[new["token"]]))
    qr = segno.make(link, error="m").svg_inline(scale=8, dark="#1f3a5f")
    return render(
        request,
        "assessments/invitation_created.html",
        {"campaign": campaign, "invitation": invitation, "link": link, "qr": qr},
    )


@login_required
@require_POST
def invitation_revoke_view(request: HttpRequest, slug: str, invitation: int) -> HttpResponse:
    campaign = access.get_campaign_for_user(request, slug)
    target = get_object_or_404(Invitation, campaign=campaign, pk=invitation)
    invitation_revoke(invitation=target)
    messages.success(request, "Revoked the link: it no longer opens the survey.")
    return HttpResponseRedirect(reverse("assessments:campaign-detail", args=[campaign.slug]))


# --- Dashboards ----------------------------------------------------------------------------


@login_required
def campaign_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = access.get_campaign_for_user(request, slug, manage=False)
    sites = dict(campaign.organization.sites.values_list("slug", "name"))
    score_filter = filter_from_request(request.GET, sites)
    context = dashboard_context(campaign, score_filter)
    context.update(
        {
            "campaign": campaign,
            "organization": campaign.organization,
            "manage": access.is_member(request, campaign.organization.workspace_id),
            "site_choices": sites,
            "function_choices": [(f, Function(f).label) for f in FUNCTION_KEYS],
        }
    )
    return render(request, "assessments/dashboard.html", context)


@login_required
def campaign_report(request: HttpRequest, slug: str) -> HttpResponse:
    """The executive PDF: the same document as `manage.py report`."""
    campaign = access.get_campaign_for_user(request, slug, manage=False)
    try:
        pdf = campaign_report_pdf(campaign)
    except RenderError as exc:
        return render(
            request,
            "assessments/report_failed.html",
            {"campaign": campaign, "problem": str(exc)},
            status=503,
        )
    return _attachment(pdf, "application/pdf", f"{campaign.slug}-report.pdf")


@login_required
def campaign_export(request: HttpRequest, slug: str, kind: str, fmt: str) -> HttpResponse:
    """Spreadsheet exports. Client viewers get the aggregated ones (scores, results per
    question); raw answers are for the consultancy's members only."""
    if kind not in exports.KINDS or fmt not in ("csv", "xlsx"):
        raise Http404
    campaign = access.get_campaign_for_user(request, slug, manage=kind not in exports.AGGREGATED)
    body, content_type = exports.export(campaign, kind, fmt)
    return _attachment(body, content_type, f"{campaign.slug}-{kind}.{fmt}", store=False)


@login_required
def campaign_deck_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The editable PowerPoint deck (consultants: they restyle it for their client)."""
    campaign = access.get_campaign_for_user(request, slug)
    return _attachment(
        campaign_deck(campaign),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        f"{campaign.slug}.pptx",
        store=False,
    )


def _attachment(
    body: bytes, content_type: str, filename: str, *, store: bool = True
) -> HttpResponse:
    """A download; `store=False` keeps client data out of shared and browser caches."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if not store:
        response["Cache-Control"] = "private, no-store"
    return response


# --- Workshop: consensus and parking lot ---------------------------------------------------


@login_required
def campaign_consensus(request: HttpRequest, slug: str) -> HttpResponse:
    """Walk through the divergent questions, IT and OT side by side; record what the room
    agreed (rule 14), and keep a parking lot of points for later."""
    campaign = access.get_campaign_for_user(request, slug)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "note":
                parking_note_add(
                    campaign=campaign, text=request.POST.get("text", ""), user=request.user
                )
                messages.success(request, "Noted in the parking lot.")
                return redirect(reverse("assessments:campaign-consensus", args=[slug]) + "#notes")
            key = request.POST.get("question", "")
            agreed_answer_record(
                campaign=campaign,
                question_key=key,
                answer=request.POST.get("answer", ""),
                note=request.POST.get("note", "")[:2000],
                dissent=request.POST.get("dissent", "")[:2000],
            )
            messages.success(request, f"Recorded the agreed answer to {key}.")
            return redirect(reverse("assessments:campaign-consensus", args=[slug]) + f"#q-{key}")
        except ImportProblems as exc:
            messages.error(request, " ".join(exc.problems))
    return render(
        request,
        "assessments/consensus.html",
        {
            "campaign": campaign,
            "organization": campaign.organization,
            **consensus_context(campaign, request.GET.get("question")),
        },
    )


# --- Workshop: facilitator -----------------------------------------------------------------


@login_required
def workshop_facilitator(request: HttpRequest, slug: str) -> HttpResponse:
    """The projector screen: join code and QR, live counts, the current question."""
    import segno

    campaign = access.get_campaign_for_user(request, slug)
    workshop = workshop_for(campaign)
    address = request.build_absolute_uri(
        reverse("assessments:workshop-join", args=[workshop.join_code])
    )
    questions = (
        Question.objects.filter(version=campaign.bank_version)
        .select_related("dimension")
        .in_survey_order()
    )
    return render(
        request,
        "assessments/workshop.html",
        {
            "campaign": campaign,
            "organization": campaign.organization,
            "workshop": workshop,
            "address": address,
            "short_address": request.build_absolute_uri(reverse("assessments:workshop-code")),
            "qr": segno.make(address, error="m").svg_inline(scale=10, dark="#1f3a5f"),
            "questions": questions,
            **_room_context(workshop),
        },
    )


def _room_context(workshop: Any) -> dict[str, Any]:
    state = room_state(workshop)
    # The radar builds up as people submit (the scores count submitted responses only).
    doc = campaign_snapshot(workshop.campaign).document
    radar = None
    if doc["respondents"]["submitted"] >= doc["settings"]["min_group_size"]:
        radar = Chart("room-radar", charts.radar(doc, labels_for(workshop.campaign)))
    question = workshop.current_question
    show_votes = workshop.mode == Workshop.Mode.FREE or workshop.revealed
    shares = []
    if question is not None and state.distribution is not None:
        total = sum(state.distribution.values())
        for choice in question.choices.all():
            votes = state.distribution.get(choice.key, 0)
            shares.append(
                {
                    "key": choice.key,
                    "text": choice.text,
                    "votes": votes,
                    "percent": round(100 * votes / total) if total else 0,
                }
            )
    return {
        "state": state,
        "question": question,
        "shares": shares,
        "show_votes": show_votes,
        "radar": radar,
        "votes": state.votes,
        "function_names": dict(Function.choices),
    }


@login_required
def workshop_room(request: HttpRequest, slug: str) -> HttpResponse:
    """What the projector polls: 304 while nothing has changed."""
    campaign = access.get_campaign_for_user(request, slug)
    workshop = workshop_for(campaign)
    context = _room_context(workshop)
    etag = f'"{context["state"].etag}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = render(
            request,
            "assessments/_room.html",
            {"campaign": campaign, "workshop": workshop, **context},
        )
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


@login_required
@require_POST
def workshop_state(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = access.get_campaign_for_user(request, slug)
    workshop = workshop_for(campaign)
    questions = list(Question.objects.filter(version=campaign.bank_version).in_survey_order())
    question = None
    action = request.POST.get("action", "")
    if action in ("next", "previous") and questions:
        keys = [q.pk for q in questions]
        index = (
            keys.index(workshop.current_question_id)
            if workshop.current_question_id in (keys)
            else -1
        )
        index = min(len(keys) - 1, index + 1) if action == "next" else max(0, index - 1)
        question = questions[index]
    elif request.POST.get("question"):
        question = next((q for q in questions if q.key == request.POST["question"]), None)
    try:
        workshop_set_state(
            workshop=workshop,
            mode=request.POST.get("mode") or None,
            question=question,
            revealed={"reveal": True, "hide": False}.get(action),
        )
    except ImportProblems as exc:
        messages.error(request, " ".join(exc.problems))
    return redirect("assessments:workshop", slug=campaign.slug)
