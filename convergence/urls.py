from django.contrib import admin
from django.urls import include, path

from assessments import security
from assessments.views import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    # Django's password reset with a rate limit (each request sends an e-mail).
    path("accounts/password_reset/", security.password_reset, name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("assessments.urls")),
]
