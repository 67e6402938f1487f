"""A workspace's members and branding (owners only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments import access
from assessments.errors import Refused
from assessments.forms import EmailInviteForm, WorkspaceSettingsForm, posted
from assessments.models import Membership
from assessments.services import two_factor
from assessments.services.members import member_add, member_remove, workspace_branding_save


@login_required
def members(request: HttpRequest, workspace: str) -> HttpResponse:
    ws = access.get_owned_workspace(request, workspace)
    form = EmailInviteForm(posted(request)[0])
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if member_add(workspace=ws, email=email, absolute_url=request.build_absolute_uri):
            messages.success(request, _("Added %(email)s as a consultant.") % {"email": email})
        else:
            messages.info(request, _("%(email)s is already a member.") % {"email": email})
        return redirect("assessments:members", workspace=ws.slug)
    return render(
        request,
        "assessments/members.html",
        {
            "workspace": ws,
            "form": form,
            "settings_form": WorkspaceSettingsForm(instance=ws),
            "memberships": ws.memberships.select_related("user")
            .annotate(
                two_factor=Exists(
                    TOTPDevice.objects.filter(user_id=OuterRef("user_id"), confirmed=True)
                )
            )
            .order_by("user__username"),
        },
    )


@login_required
@require_POST
def workspace_settings(request: HttpRequest, workspace: str) -> HttpResponse:
    ws = access.get_owned_workspace(request, workspace)
    form = WorkspaceSettingsForm(request.POST, request.FILES, instance=ws)
    if form.is_valid():
        workspace_branding_save(workspace=ws, **form.cleaned_data)
        messages.success(request, _("Saved the workspace settings: new reports use them."))
    else:
        problems = [f"{field}: {' '.join(map(str, errs))}" for field, errs in form.errors.items()]
        messages.error(request, _("Not saved. ") + "; ".join(problems))
    return redirect("assessments:members", workspace=ws.slug)


@login_required
@require_POST
def member_remove_view(request: HttpRequest, workspace: str, membership: int) -> HttpResponse:
    ws = access.get_owned_workspace(request, workspace)
    target = get_object_or_404(
        Membership.objects.select_related("user"), workspace=ws, pk=membership
    )
    try:
        member_remove(workspace=ws, membership=target)
    except Refused as exc:
        messages.error(request, exc.problems[0].text.capitalize() + ".")
    else:
        messages.success(request, _("Removed %(name)s.") % {"name": target.user.get_username()})
    return redirect("assessments:members", workspace=ws.slug)


@login_required
@require_POST
def workspace_two_factor(request: HttpRequest, workspace: str) -> HttpResponse:
    ws = access.get_owned_workspace(request, workspace)
    required = request.POST.get("require") == "1"
    try:
        two_factor.workspace_require(workspace=ws, required=required, by=request.user)
    except Refused as exc:
        messages.error(request, exc.sentence)
    else:
        messages.success(
            request,
            _("Two-factor sign-in is now required for every member.")
            if required
            else _("Two-factor sign-in is no longer required (members who use it keep it)."),
        )
    return redirect("assessments:members", workspace=ws.slug)
