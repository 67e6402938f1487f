"""Settings read from the environment: SQLite tuned for concurrency, SECRET_KEY required."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection


def test_sqlite_runs_in_wal_with_immediate_transactions():
    if connection.vendor != "sqlite":
        return  # the PostgreSQL run checks nothing SQLite-specific
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 20
    assert "journal_mode=WAL" in options["init_command"]


def test_without_debug_a_missing_secret_key_stops_the_app_and_names_it():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["DEBUG"] = "0"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "The SECRET_KEY environment variable is missing" in result.stderr


def test_database_url_selects_postgresql():
    code = (
        "import os; os.environ['DATABASE_URL']='postgres://u@db.example:5432/conv'; "
        "import convergence.settings as s; d=s.DATABASES['default']; "
        "print(d['ENGINE'], d['NAME'], d['HOST'])"
    )
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", code],
        cwd=Path(settings.BASE_DIR),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == ["django.db.backends.postgresql", "conv", "db.example"]


def deploy_check(**extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG")},
        "DEBUG": "0",
        "SECRET_KEY": "a-long-random-secret-key-for-the-deploy-check-0123456789-abcdefghij",
        "ALLOWED_HOSTS": "convergence.example.com",
        # This test is about deployment settings, not about the machine having Chromium.
        "CHROMIUM_PATH": sys.executable,
        **extra,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_settings_pass_the_deploy_check():
    # The check reads settings only; it does not connect to Redis.
    result = deploy_check(REDIS_URL="redis://cache.internal:6379/0", EMAIL_HOST="smtp.internal")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_fails_without_an_email_server():
    """Issue 16.9: without EMAIL_HOST production printed every link into the server log."""
    result = deploy_check(REDIS_URL="redis://cache.internal:6379/0", EMAIL_HOST="")
    assert result.returncode == 1
    assert "convergence.E003" in result.stderr and "Set EMAIL_HOST" in result.stderr


def test_without_an_email_server_production_logs_no_link(caplog):
    from django.core.mail import EmailMessage

    from assessments.security import UnsentMailBackend

    message = EmailMessage("Acme: your results", "Choose: https://x/reset/SECRET/", to=["a@b.c"])
    with caplog.at_level("ERROR", logger="convergence.security"):
        assert UnsentMailBackend().send_messages([message]) == 0
    assert "Acme: your results" in caplog.text and "SECRET" not in caplog.text


def test_deploy_check_asks_for_a_shared_cache():
    result = deploy_check(REDIS_URL="", EMAIL_HOST="smtp.internal")
    assert result.returncode == 1
    assert "convergence.W002" in result.stderr
    assert "Set REDIS_URL" in result.stderr


def test_production_settings_switch_on_hsts_and_secure_cookies():
    code = (
        "import convergence.settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT, s.CACHES['default']['BACKEND'])"
    )
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x" * 60,
        "REDIS_URL": "redis://cache.internal:6379/0",
    }
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", code],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == [
        "31536000",
        "True",
        "True",
        "True",
        "django.core.cache.backends.redis.RedisCache",
    ]


def test_the_documented_gunicorn_listens_on_loopback_only():
    """Issue 16.5: slow bodies stall sync workers, so gunicorn is reached only through the
    buffering proxy (deploy/nginx.conf), never directly."""
    import runpy

    root = Path(__file__).resolve().parents[1]
    conf = runpy.run_path(str(root / "deploy" / "gunicorn.conf.py"))
    assert conf["bind"].startswith("127.0.0.1:")
    nginx = (root / "deploy" / "nginx.conf").read_text()
    assert "proxy_request_buffering on;" in nginx and "client_body_timeout" in nginx
    readme = (root / "README.md").read_text()
    assert "--bind 0.0.0.0" not in readme
