"""Validation a new user meets (issue 21, point 2): a campaign closes on or after it opens; a
country is picked from the ISO 3166 list in the reader's language; a slug is made from the
name when left empty; the only bank is chosen already; one date format per language."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from assessments.errors import Refused
from assessments.models import Campaign, Organization, Site
from assessments.services.campaigns import campaign_update
from tests import builders
from tests.html import visible_text

pytestmark = pytest.mark.django_db


def test_a_campaign_cannot_close_before_it_opens(workspace):
    campaign = builders.campaign(workspace)
    with pytest.raises(Refused) as refused:
        campaign_update(
            campaign=campaign,
            min_group_size=5,
            gap_threshold=0.5,
            targets={},
            opens_on=datetime.date(2027, 3, 1),
            closes_on=datetime.date(2027, 1, 1),
        )
    assert str(refused.value) == (
        "closes_on: is before the opening date (1 March 2027): choose 1 March 2027 or later"
    )
    campaign.refresh_from_db()
    assert campaign.closes_on is None  # nothing written
    # Only the closing date given: checked against the opening date already set.
    campaign_update(
        campaign=campaign,
        min_group_size=5,
        gap_threshold=0.5,
        targets={},
        opens_on=datetime.date(2027, 3, 1),
    )
    with pytest.raises(Refused):
        campaign_update(
            campaign=campaign,
            min_group_size=5,
            gap_threshold=0.5,
            targets={},
            closes_on=datetime.date(2027, 2, 28),
        )


def test_the_campaign_form_says_so_at_the_closing_date(client, owner, workspace):
    org = builders.organization(workspace)
    builders.default_bank()
    client.force_login(owner)
    url = reverse("assessments:campaign-create", args=[org.slug])
    page = client.get(url).content.decode()
    # The only bank is chosen already.
    assert "selected" in page.split('name="bank_version"')[1].split("</select>")[0]
    response = client.post(
        url,
        {
            "name": "ACME 2027",
            "slug": "",
            "bank_version": Campaign._meta.get_field("bank_version")
            .related_model.objects.filter(status="published")
            .first()
            .pk,
            "opens_on": "2027-03-01",
            "closes_on": "2027-01-01",
            "min_group_size": "5",
            "gap_threshold": "0.5",
        },
    )
    text = visible_text(response.content.decode())
    assert "is before the opening date (1 March 2027)" in text
    assert not Campaign.objects.filter(name="ACME 2027").exists()


def test_a_slug_left_empty_is_made_from_the_name(client, owner, workspace):
    client.force_login(owner)
    response = client.post(
        reverse("assessments:organization-create"),
        {"name": "Präzisionsguss Müller & Söhne", "slug": "", "industry": ""},
    )
    assert response.status_code == 302
    org = Organization.objects.get(name="Präzisionsguss Müller & Söhne")
    assert org.slug == "prazisionsguss-muller-sohne"
    response = client.post(
        reverse("assessments:site-create", args=[org.slug]),
        {"name": "Plant North", "slug": "", "country": "DE"},
    )
    assert Site.objects.get(organization=org).slug == "plant-north"
    # The form carries what the page's script needs to show it while typing.
    page = client.get(reverse("assessments:site-create", args=[org.slug])).content.decode()
    assert 'data-slug-from="name"' in page and "js/slug.js" in page


def test_a_country_is_picked_from_the_list_in_the_readers_language(client, owner, workspace):
    org = builders.organization(workspace)
    client.force_login(owner)
    url = reverse("assessments:site-create", args=[org.slug])
    page = client.get(url).content.decode()
    assert '<option value="DE">Germany</option>' in page
    german = client.get(url, headers={"accept-language": "de"}).content.decode()
    assert '<option value="DE">Deutschland</option>' in german
    # "Germany" typed where a code belongs is refused, never cut to "Ge".
    response = client.post(url, {"name": "Plant East", "slug": "east", "country": "Germany"})
    assert "Select a valid choice. Germany is not one of the available choices." in (
        response.content.decode()
    )
    assert not Site.objects.filter(slug="east").exists()


def test_one_date_format_per_language():
    day = datetime.date(2026, 12, 4)
    moment = datetime.datetime(2026, 12, 4, 14, 5)
    with translation.override("en"):
        assert date_format(day, "DATE_FORMAT") == "4 December 2026"
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "04/12/2026 14:05"
    with translation.override("de"):
        assert date_format(day, "DATE_FORMAT") == "4. Dezember 2026"
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "04.12.2026 14:05"
