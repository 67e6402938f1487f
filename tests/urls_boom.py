"""The app's URLs plus one that fails, to see what a server error looks like to a user."""

from django.urls import include, path


def boom(request):
    raise RuntimeError("secret detail: DATABASE password=hunter2")


urlpatterns = [path("boom/", boom), path("", include("convergence.urls"))]
