"""Personal API tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.errors import Refused
from assessments.models import ApiToken
from assessments.services.tokens import MAX_TOKENS, token_create, token_revoke, token_user

pytestmark = pytest.mark.django_db


def test_a_token_opens_once_stored_only_as_its_hash(owner):
    _row, token = token_create(user=owner, name="Power BI")
    assert token.startswith("cvg_") and token not in str(ApiToken.objects.values_list())
    assert token_user(f"Bearer {token}") == owner
    assert token_user(f"Bearer {token}x") is None
    assert token_user(f"Basic {token}") is None


def test_at_most_twenty_tokens(owner):
    for number in range(MAX_TOKENS):
        token_create(user=owner, name=f"T{number}")
    with pytest.raises(Refused) as refused:
        token_create(user=owner, name="one more")
    assert refused.value.lines == ["You have 20 tokens; revoke one first."]
    assert ApiToken.objects.filter(user=owner).count() == MAX_TOKENS


def test_only_its_owner_revokes_a_token(owner, outsider):
    row, token = token_create(user=owner, name="BI")
    with pytest.raises(Refused):
        token_revoke(user=outsider, token=row)
    assert token_user(f"Bearer {token}") == owner
    token_revoke(user=owner, token=row)
    assert token_user(f"Bearer {token}") is None


def test_last_used_is_noted_at_most_every_five_minutes(owner):
    row, token = token_create(user=owner, name="BI")
    token_user(f"Bearer {token}")
    row.refresh_from_db()
    first = row.last_used
    assert first is not None
    token_user(f"Bearer {token}")
    row.refresh_from_db()
    assert row.last_used == first
    ApiToken.objects.filter(pk=row.pk).update(last_used=first - timedelta(minutes=6))
    token_user(f"Bearer {token}")
    row.refresh_from_db()
    assert row.last_used > first - timedelta(minutes=1)
    assert row.last_used <= timezone.now()


def test_a_token_expires_and_stops_with_a_new_password(owner, settings):
    """Issue 16.10: tokens had no expiry and survived a password change."""
    row, token = token_create(user=owner, name="BI")
    assert row.expires is not None
    assert abs(
        (row.expires - timezone.now()) - timedelta(days=settings.API_TOKEN_DAYS)
    ) < timedelta(minutes=1)
    ApiToken.objects.filter(pk=row.pk).update(expires=timezone.now() - timedelta(seconds=1))
    assert token_user(f"Bearer {token}") is None
    _row, token = token_create(user=owner, name="BI 2")
    assert token_user(f"Bearer {token}") == owner
    owner.set_password("a-new-password-2026")
    owner.save()
    assert token_user(f"Bearer {token}") is None


def test_removing_a_member_revokes_their_tokens(workspace, owner, consultant):
    from assessments.models import Membership
    from assessments.services.members import member_remove

    _row, token = token_create(user=consultant, name="BI")
    member_remove(workspace=workspace, membership=Membership.objects.get(user=consultant))
    assert token_user(f"Bearer {token}") is None
    assert not ApiToken.objects.filter(user=consultant).exists()
