"""Every page in German (docs/languages.md): each page a consultant, an executive or a
respondent sees is rendered for a German browser, and none may show a text of the English
catalogue that has a German translation, nor an English sentence that was never marked for
translation. Names and codes (ACME, COL-1, team names), and what people typed (comments,
notes), are allowed."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import translation

from assessments.models import (
    AgreedAnswer,
    Answer,
    Campaign,
    Initiative,
    Organization,
    ParkingNote,
    Site,
    Team,
)
from assessments.services.survey import invitation_create
from assessments.services.workshops import workshop_for
from tests.html import visible_text

pytestmark = pytest.mark.django_db
GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "de" / "LC_MESSAGES" / "django.po"
# Code shown as it is typed, in every language.
CODE = {"Authorization: Bearer …"}
# English words that no German sentence of ours uses, outside names.
ENGLISH = re.compile(r"\b(the|and|you|your|with|this|are|is|of|not yet|to the|has been)\b")


def _english_phrases() -> set[str]:
    """The catalogue's English texts that German says otherwise, cut at their placeholders
    and markup into phrases of two words or more."""
    phrases: set[str] = set()
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.obsolete or not entry.msgstr or entry.msgstr == entry.msgid:
            continue
        for text in (entry.msgid, entry.msgid_plural):
            for part in re.split(r"%\(\w+\)s|<[^>]+>|%%|&\w+;", text or ""):
                part = part.strip(" .,:;()\u2013\u2014·“”\"'")
                if len(part) >= 12 and " " in part and part not in CODE:
                    phrases.add(part)
    return phrases


def _typed(campaign: Campaign) -> list[str]:
    """What people typed, which no catalogue translates."""
    texts = list(
        Answer.objects.filter(response__campaign__organization=campaign.organization)
        .exclude(comment="")
        .values_list("comment", flat=True)
    )
    texts += ParkingNote.objects.values_list("text", flat=True)
    texts += Campaign.objects.values_list("name", flat=True)  # and the names people gave
    texts += Organization.objects.values_list("name", flat=True)
    texts += Team.objects.values_list("name", flat=True)
    texts += Site.objects.values_list("name", flat=True)
    from django_countries import countries

    with translation.override("de"):  # the site form's list: names, as "Isle of Man"
        texts += [name for _code, name in countries]
    for title, owner in Initiative.objects.values_list("title", "owner"):  # the roadmap's
        texts += [title, owner]
    for note, dissent in AgreedAnswer.objects.values_list("note", "dissent"):
        texts += [note, dissent]
    return sorted((t for t in texts if t), key=len, reverse=True)


def _pages(demo: Campaign) -> dict[str, str]:
    staff = Client()
    staff.force_login(get_user_model().objects.get(username="consultant"))
    workshop_for(demo)
    org, slug = demo.organization.slug, demo.slug
    team = demo.organization.teams.first()
    site = demo.organization.sites.first()
    shown = invitation_create(
        campaign=demo, kind="person", team=team, name="Ana", email="ana@acme.example"
    ).invitation
    urls = {
        "clients": reverse("assessments:home"),
        "organisation": reverse("assessments:organization-detail", args=[org]),
        "organisation settings": reverse("assessments:organization-edit", args=[org]),
        "new site": reverse("assessments:site-create", args=[org]),
        "site": reverse("assessments:site-edit", args=[org, site.slug]),
        "team": reverse("assessments:team-edit", args=[org, team.slug]),
        "new campaign": reverse("assessments:campaign-create", args=[org]),
        "campaign": reverse("assessments:campaign-detail", args=[slug]),
        "campaign settings": reverse("assessments:campaign-edit", args=[slug]),
        "dashboard": reverse("assessments:campaign-dashboard", args=[slug]),
        "dashboard of a site": reverse("assessments:campaign-dashboard", args=[slug])
        + f"?site={site.slug}",
        "consensus": reverse("assessments:campaign-consensus", args=[slug]),
        "close a campaign": reverse("assessments:campaign-close", args=[slug]),
        "revoke a link": reverse("assessments:invitation-revoke", args=[slug, shown.pk]),
        "invite from a file": reverse("assessments:invitation-upload", args=[slug]),
        "remind": reverse("assessments:reminders", args=[slug]),
        "new initiative": reverse("assessments:initiative-create", args=[slug])
        + "?dimension=skills",
        "initiative": reverse(
            "assessments:initiative-edit", args=[slug, demo.initiatives.first().pk]
        ),
        "delete an initiative": reverse(
            "assessments:initiative-delete", args=[slug, demo.initiatives.first().pk]
        ),
        "responses": reverse("assessments:campaign-responses", args=[slug]),
        "workshop": reverse("assessments:workshop", args=[slug]),
        "preview": reverse("assessments:campaign-preview", args=[slug]),
        "members": reverse("assessments:members", args=[demo.organization.workspace.slug]),
        "profile": reverse("assessments:profile"),
        "two-factor set-up": reverse("assessments:two-factor-setup"),
        "not found": "/campaigns/no-such-campaign/",
    }
    pages = {}
    for name, url in urls.items():
        page = staff.get(url, headers=GERMAN)
        assert page.status_code in (200, 404), (name, page.status_code)
        pages[name] = visible_text(page)
    admin = Client()
    admin.force_login(get_user_model().objects.get(username="admin"))
    for name, url in {
        "admin: bank versions": reverse("admin:assessments_bankversion_changelist"),
        "admin: upload a bank": reverse("admin:assessments_bankversion_upload"),
        "admin: import translations": reverse("admin:assessments_bankversion_translations"),
    }.items():
        page = admin.get(url, headers=GERMAN)
        assert page.status_code == 200, (name, page.status_code)
        pages[name] = visible_text(page)
    visitor = Client()
    for name, url in {
        "log in": reverse("login"),
        "password reset": reverse("password_reset"),
        "workshop code": reverse("assessments:workshop-code"),
        "resume code": reverse("assessments:survey-resume-code"),
    }.items():
        pages[name] = visible_text(visitor.get(url, headers=GERMAN))
    phone = Client()
    link = invitation_create(campaign=demo, kind="person", team=team)
    opened = phone.get(reverse("assessments:link-open", args=[link.token]), headers=GERMAN)
    pages["survey start"] = visible_text(phone.get(opened["Location"], headers=GERMAN))
    started = phone.post(reverse("assessments:survey-start"), headers=GERMAN, follow=True)
    pages["survey page"] = visible_text(started)
    # A shared tablet's join link: its start page, its first page (with the idle warning)
    # and what the next person sees after a submit.
    tablet = Client()
    kiosk = invitation_create(campaign=demo, kind="team", team=team, kiosk=True)
    opened = tablet.get(reverse("assessments:link-open", args=[kiosk.token]), headers=GERMAN)
    pages["kiosk start"] = visible_text(tablet.get(opened["Location"], headers=GERMAN))
    first = tablet.post(reverse("assessments:survey-start"), headers=GERMAN, follow=True)
    pages["kiosk page"] = visible_text(first.content.decode().replace(" hidden>", ">"))
    public_id = first.redirect_chain[-1][0].split("/survey/")[1].split("/")[0]
    done = tablet.post(
        reverse("assessments:survey-submit", args=[public_id]), headers=GERMAN, follow=True
    )
    pages["kiosk next person"] = visible_text(done)
    joined = Client()
    code_link = invitation_create(campaign=demo, kind="team", team=team)
    joined.get(reverse("assessments:link-open", args=[code_link.token]), headers=GERMAN)
    pages["join link page with code"] = visible_text(
        joined.post(reverse("assessments:survey-start"), headers=GERMAN, follow=True)
    )
    return pages


def _english_left(pages: dict[str, str], typed: list[str]) -> str:
    """What is still English on each page once the texts people typed are taken out."""
    phrases = _english_phrases()
    left = {}
    for name, text in pages.items():
        for words in typed:
            text = text.replace(words, " ")
        found = sorted(p for p in phrases if p in text)
        stray = sorted(set(m.group(0) for m in ENGLISH.finditer(text)))
        if found or stray:
            context = [text[max(0, m.start() - 60) : m.end() + 60] for m in ENGLISH.finditer(text)]
            left[name] = (found[:5], stray, context[:3])
    return "\n".join(f"{name}: {details}" for name, details in left.items())


def test_no_page_shows_english_to_a_german_reader(demo):
    left = _english_left(_pages(demo), _typed(demo))
    assert not left, left


def test_the_bank_editor_speaks_german_around_the_banks_own_texts(demo):
    """The editor shows a bank's English texts (they are what is edited); everything around
    them, and the preview, speaks the reader's German."""
    from assessments.files.banks import bank_export_document, bank_version_new_draft
    from assessments.models import BankVersion

    published = BankVersion.objects.filter(status="published").order_by("-number").first()
    draft = bank_version_new_draft(version=published)
    doc = bank_export_document(draft)

    def texts(value) -> list[str]:
        if isinstance(value, dict):
            return [t for k, v in value.items() if k != "translations" for t in texts(v)]
        if isinstance(value, list):
            return [t for v in value for t in texts(v)]
        return [value] if isinstance(value, str) and value else []

    own = sorted(set(texts(doc)), key=len, reverse=True)
    admin = Client()
    admin.force_login(get_user_model().objects.get(username="admin"))
    pages = {
        "question banks": reverse("assessments:bank-list"),
        "bank editor": reverse("assessments:bank-edit", args=[draft.pk]),
        "bank preview": reverse("assessments:bank-preview", args=[draft.pk]) + "?language=de",
        "bank changes": reverse("assessments:bank-publish", args=[draft.pk]),
    }
    texts = {}
    for name, url in pages.items():
        page = admin.get(url, headers=GERMAN)
        assert page.status_code == 200, name
        texts[name] = visible_text(page)
    left = _english_left(texts, own + _typed(demo))
    assert not left, left
