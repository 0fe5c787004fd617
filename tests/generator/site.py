"""A platform as served: its URL scheme, per-platform presentation choices, and the
addresses of every item (the hrefs the pages use and the absolute URLs of the truth)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

from . import banks
from .markup import Markup, fmt_date
from .model import Platform, SpaceModel
from .urls import Urls

__all__ = ["Site"]

_VENDORS = ["天枢", "云帆", "博学", "启明", "慧通", "星火", "智源"]
_BEIJING = timezone(timedelta(hours=8))
_SERVER_HOUR = 21  # items are published 09:00–19:59: N小时前 stays on the same day


class Site:
    def __init__(self, platform: Platform) -> None:
        self.p = platform
        self.s = platform.style
        self.v = platform.vocab
        self.urls = Urls(self.s)
        rng = random.Random(f"{platform.seed}:site")
        self._markup_seed = rng.random()
        self.layout_shape = rng.randint(0, 2)
        self.classes_sep = rng.choice(("、", "，", " "))
        self.home_rows = rng.randint(4, 8)
        self.city = rng.choice(banks.CITIES)
        self.vendor = rng.choice(_VENDORS)
        self.absolute_links = rng.random() < 0.3
        self.slogan = rng.random() < 0.5  # a heading with no box under it (a trap)
        self.by_sid = {space.sid: space for space in platform.spaces}
        # The floating layer opens the body or closes it (its own draw: the others stay).
        self.float_first = random.Random(f"{platform.seed}:float-place").random() < 0.4
        # An icon font's glyph (private use area) before each module title.
        self.title_icons = random.Random(f"{platform.seed}:icons").random() < 0.3
        # Marks on a listing's first rows, inside the title's link: none | element | bracket.
        self.badges = random.Random(f"{platform.seed}:badges").choice(("none", "none", "element", "bracket"))
        # The footer's wording, and whether it links its vendor, its bureau and its ICP licence.
        footer_rng = random.Random(f"{platform.seed}:footer")
        self.footer_words = footer_rng.choice(
            ("版权所有 © {who}", "Copyright © 2024 {who} All Rights Reserved", "主办单位：{who}")
        )
        self.footer_links = footer_rng.random() < 0.5
        # The platform's clock: 21:00 Beijing time, a few days after its newest item.
        self.today: date | None = None
        self.month_words = False
        dated = [x.published for space in platform.spaces for x in (*space.resources, *space.articles)]
        if self.s.recent_dates == "relative" and dated:
            clock_rng = random.Random(f"{platform.seed}:clock")
            self.today = max(dated) + timedelta(days=clock_rng.randint(0, 3))
            self.month_words = clock_rng.random() < 0.4  # 5月12日 rather than 05-12

    def server_clock(self) -> float | None:
        """The time the platform's Date header gives (epoch seconds), or None for the real one."""
        if self.today is None:
            return None
        return datetime(self.today.year, self.today.month, self.today.day, _SERVER_HOUR, tzinfo=_BEIJING).timestamp()

    def shown_date(self, day: date, clock: tuple[int, int, int], fmt: str) -> str:
        """A date as the platform shows it: where it shows recent dates against its own clock,
        今天 10:20 / N小时前, 昨天 10:20, N天前 within a week, the month and day alone within
        its year; otherwise (and for an item dated after its clock) in ``fmt``."""
        back = (self.today - day).days if self.today is not None and fmt != "year_heading" else -1
        if back < 0:
            return fmt_date(day, clock, fmt)
        time_of_day = f"{clock[0]:02d}:{clock[1]:02d}"
        if back == 0:
            return f"今天 {time_of_day}" if clock[1] % 2 else f"{_SERVER_HOUR - clock[0]}小时前"
        if back == 1:
            return f"昨天 {time_of_day}"
        if back < 7:
            return f"{back}天前"
        if self.today is not None and day.year == self.today.year:
            return f"{day.month}月{day.day}日" if self.month_words else f"{day.month:02d}-{day.day:02d}"
        return fmt_date(day, clock, fmt)

    # -- markup -----------------------------------------------------------------------------
    def markup(self, key: str) -> Markup:
        """The platform's markup, with noise drawn from this page's own rng."""
        m = Markup(self.s, self.v, random.Random(self._markup_seed))
        m.rng = random.Random(f"{self.p.seed}:{key}")
        return m

    # -- addresses --------------------------------------------------------------------------
    @property
    def base(self) -> str:
        return self.p.base_url

    def abs_url(self, path: str) -> str:
        return self.base + path

    def abs_path(self, path: str) -> str:
        """A root-relative path as the pages write it (some platforms write full URLs)."""
        return self.abs_url(path) if self.absolute_links else path

    def listing_url(self, space: SpaceModel, slot: str, page: int = 1, tab: str = "") -> str:
        kind = {"resources": "res", "articles": "art", "albums": "alb"}.get(slot, slot)
        if kind == "res" and self.s.category_display == "tabs_only" and not tab:
            tab = "1"
        return self.urls.listing(space.sid, kind, page, tab)

    def listing_href(self, space: SpaceModel, slot: str) -> str:
        return self.abs_path(self.listing_url(space, slot))

    def item_href(self, space: SpaceModel, kind: str, id_: int | str) -> str:
        return self.abs_path(self.urls.detail(space.sid, kind, id_))

    def album_href(self, space: SpaceModel, id_: int) -> str:
        return self.abs_path(self.urls.album(space.sid, id_))

    def tabs(self, space: SpaceModel) -> list[str]:
        """The category tabs of the resource listing (labels in first-seen order)."""
        labels: list[str] = []
        for res in sorted(space.resources, key=lambda r: r.id):
            if res.label not in labels:
                labels.append(res.label)
        return labels
