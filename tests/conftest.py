"""Shared fixtures: a fixed cast of users and the default bank.

The cast (STYLE.md): `owner` and `consultant` of the Northwind workspace, and `outsider`,
owner of another workspace. Builders for the rest live in tests/builders.py.
"""

from __future__ import annotations

import pytest

from tests import builders


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The cache counts wrong survey links per address; each test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def workspace(db):
    return builders.workspace("northwind")


@pytest.fixture
def other_workspace(db):
    return builders.workspace("rival")


@pytest.fixture
def owner(workspace):
    return builders.user("olivia", workspace, role="owner")


@pytest.fixture
def consultant(workspace):
    return builders.user("carl", workspace, role="consultant")


@pytest.fixture
def outsider(other_workspace):
    return builders.user("oscar", other_workspace, role="owner")


@pytest.fixture
def staff(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("stella", password="pw-stella-123")


@pytest.fixture
def default_bank(db):
    return builders.default_bank()
