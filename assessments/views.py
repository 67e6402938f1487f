from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Organization


@login_required
def home(request: HttpRequest) -> HttpResponse:
    organizations = Organization.objects.filter(
        workspace__memberships__user_id=request.user.pk or 0
    ).select_related("workspace")
    return render(request, "assessments/home.html", {"organizations": organizations})
