"""User accounts made by invitation: a consultant added to a workspace, a client viewer."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


def user_for_email(email: str) -> Any:
    """The account of `email` (any case), made without a usable password if there is none:
    its owner chooses one through the link in the invitation."""
    user_model = get_user_model()
    user = user_model.objects.filter(email__iexact=email).first()
    if user is None:
        user = user_model.objects.create_user(username=email.lower(), email=email.lower())
        user.set_unusable_password()
        user.save()
    return user


def password_link(user: Any) -> str:
    """The path of the page where `user` chooses a password (Django's password reset)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
