"""Personal API tokens: made and revoked on the profile page, checked on every API call.

A token is 32 random bytes (URL-safe base64, prefixed `cvg_`), shown once; only its SHA-256
is stored. It stops working after `API_TOKEN_DAYS` (90), when its owner's password changes,
and when its owner is removed from a workspace. README ("JSON API") says how to use one.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.errors import Refused
from assessments.models import ApiToken

TOKEN_PREFIX = "cvg_"  # nosec B105  # noqa: S105 - a public marker, not a secret
MAX_TOKENS = 20
TOUCH_EVERY = timedelta(minutes=5)  # how stale `last_used` may get (spares a write a call)


def lifetime() -> timedelta:
    return timedelta(days=settings.API_TOKEN_DAYS)


def password_stamp(user: Any) -> str:
    """Changes whenever the user's password does (a digest of its hash, never the hash)."""
    return hashlib.sha256(f"api-token:{user.password}".encode()).hexdigest()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_create(*, user: Any, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`: the stored row and the token itself (shown once)."""
    with transaction.atomic():
        if ApiToken.objects.filter(user=user).count() >= MAX_TOKENS:
            raise Refused.at(
                "", _("You have %(count)s tokens; revoke one first."), count=MAX_TOKENS
            )
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=token[: len(TOKEN_PREFIX) + 4],
            token_hash=_digest(token),
            expires=timezone.now() + lifetime(),
            password_stamp=password_stamp(user),
        )
    return row, token


def tokens_revoke_all(*, user: Any) -> int:
    """Every token of `user` (removed from a workspace); how many there were."""
    return ApiToken.objects.filter(user=user).delete()[0]


def token_revoke(*, user: Any, token: ApiToken) -> None:
    if token.user_id != user.pk:
        raise Refused.at("token", _("not one of your tokens"))
    token.delete()


def token_user(header: str) -> Any:
    """The active user whose token the Authorization header carries, or None. Notes when the
    token was last used (at most every five minutes, so a busy client costs no write a call)."""
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip().startswith(TOKEN_PREFIX):
        return None
    row = ApiToken.objects.select_related("user").filter(token_hash=_digest(token.strip())).first()
    if row is None or not row.user.is_active:
        return None
    now = timezone.now()
    if row.expires is not None and row.expires <= now:
        return None
    if row.password_stamp != password_stamp(row.user):
        return None  # the password changed (or was reset) since the token was made
    if row.last_used is None or now - row.last_used > TOUCH_EVERY:
        ApiToken.objects.filter(pk=row.pk).update(last_used=now)
    return row.user
