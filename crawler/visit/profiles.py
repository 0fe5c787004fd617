"""The teacher's profile: the home page's, completed from the space's profile page or the
app's profile view where the home page shows only part of it."""

from __future__ import annotations

import re

from ..extract.modules import ModuleBox, find_modules
from ..extract.pages import in_app_entry
from ..extract.profile import PROFILE_PAGE_WORDS, extract_profile, merge_profiles, profile_page_url
from ..model import Profile
from ..platforms import PlatformAdapter
from ..transport.http import FetchError, Page
from .session import VisitSession, as_role

__all__ = ["read_profile"]

_STYLE_RE = re.compile(r"<style[^>]*>(.*?)</style>", re.IGNORECASE | re.DOTALL)


def _complete(profile: Profile) -> bool:
    return bool(profile.school and profile.subject and profile.avatar)


async def read_profile(
    session: VisitSession, adapter: PlatformAdapter, home: Page, modules: list[ModuleBox]
) -> Profile:
    """Everything the space shows about the teacher."""
    profile_box = next((m.element for m in modules if m.type == "profile"), None)
    profile = extract_profile(
        home.soup,
        _STYLE_RE.findall(home.html),
        home.final_url,
        profile_box=profile_box,
        first_box=modules[0].element if modules else None,
        not_names=frozenset(m.name for m in modules),
    )
    if not _complete(profile):
        profile = await _profile_page(session, adapter, home, profile)
    if not _complete(profile) and home.via == "browser" and in_app_entry(home.soup, PROFILE_PAGE_WORDS):
        profile = await _app_profile(session, home, profile)
    return profile


async def _app_profile(session: VisitSession, home: Page, profile: Profile) -> Profile:
    """The profile completed from the app's own profile view (an in-app tab)."""
    _, views = await session.explore(home.final_url, [[list(PROFILE_PAGE_WORDS)]])
    return profile if views[0] is None else merge_profiles(profile, _profile_of_page(views[0]))


def _profile_of_page(page: Page) -> Profile:
    """What a profile page (or an app's profile view) shows: its profile box, else the page."""
    boxes = find_modules(page.soup, page.final_url)
    box = next((m.element for m in boxes if m.type == "profile"), None)
    names = frozenset(m.name for m in boxes)
    return extract_profile(page.soup, [], page.final_url, profile_box=box or page.soup.body, not_names=names)


async def _profile_page(session: VisitSession, adapter: PlatformAdapter, home: Page, profile: Profile) -> Profile:
    """The profile completed from the space's profile page (个人档案, 教师简介, 关于我 …)
    where the home page shows only part of it."""
    url = profile_page_url(home.soup, home.final_url)
    if url is None:
        return profile
    try:
        page = await session.fetch(url)
        if page.status < 400 and (adapter.always_browser or adapter.detail_needs_browser(page)):
            with as_role("profile"):
                page = await session.render(url)
    except FetchError:
        return profile
    return profile if page.status >= 400 else merge_profiles(profile, _profile_of_page(page))
