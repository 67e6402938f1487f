from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from assessments import audit, security

        checks.register(chromium_check)
        checks.register(security.shared_cache_check, checks.Tags.caches, deploy=True)
        checks.register(security.mail_check, checks.Tags.security, deploy=True)
        security.connect_signals()
        audit.register()


def chromium_check(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """Reports render without Chromium, but with a note instead of each chart."""
    if Path(settings.CHROMIUM_PATH).exists():
        return []
    return [
        checks.Warning(
            f"Chromium was not found at {settings.CHROMIUM_PATH}: PDF reports will show a "
            "note where each chart would be.",
            hint="Install it (apt-get install -y chromium) or set CHROMIUM_PATH.",
            id="convergence.W001",
        )
    ]
