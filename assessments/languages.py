"""Which language a respondent reads (docs/languages.md): their own choice (the switch's
cookie), else their browser's, among the languages the campaign offers; else the campaign's
first. The interface follows where it has the language (English and German), the bank's
texts wherever the bank has a translation."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from assessments.models import Campaign


def respondent_language(request: HttpRequest, campaign: Campaign) -> str:
    offered = campaign.offered_languages()
    lowered = {tag.lower(): tag for tag in offered}
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "").lower()
    if chosen in lowered:
        return lowered[chosen]
    for tag, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        tag = tag.lower()
        for candidate in (tag, tag.split("-")[0]):
            if candidate in lowered:
                return lowered[candidate]
    return offered[0]


def speak(request: HttpRequest, campaign: Campaign) -> str:
    """Use the respondent's language for the rest of this request, and tell the page's
    switch which languages to offer."""
    language = respondent_language(request, campaign)
    translation.activate(language)
    request.LANGUAGE_CODE = language
    request.offered_languages = [  # type: ignore[attr-defined]
        (tag, _name(tag)) for tag in campaign.offered_languages()
    ]
    return language


def _name(tag: str) -> str:
    try:
        return str(translation.get_language_info(tag)["name_local"])
    except KeyError:
        return tag
