"""What a space declares against what was read, for the collections that follow from the
listings: photos (counted by each album) and videos (found on video resources' pages)."""

from __future__ import annotations

from ..model import Album, Completeness

__all__ = ["photos_completeness", "videos_completeness"]


def photos_completeness(albums: list[Album], listing: Completeness) -> Completeness:
    """Photos are counted from what each album declares; an album without a count, or
    albums not read, leave the total open."""
    read = sum(a.photos or 0 for a in albums)
    uncounted = [a.name for a in albums if a.photos is None]
    complete = listing.complete and not uncounted
    notes = [f"{len(albums)} 个相册共 {read} 张"]
    if uncounted:
        notes.append(f"{len(uncounted)} 个相册未显示张数（{'、'.join(uncounted[:3])}）")
    if not listing.complete:
        notes.append("相册列表未读完")
    declared = read if complete else None  # each album states its count
    return Completeness(declared, read, complete, "；".join(notes), listing.url)


def videos_completeness(read: int, resources: Completeness, unread_details: int) -> Completeness:
    """Videos are found on the detail pages of video resources: all of them must be read."""
    notes = [f"读到 {read} 个视频"]
    if unread_details:
        notes.append(f"{unread_details} 个视频资源的页面无法打开")
    if not resources.complete:
        notes.append("资源列表未读完")
    return Completeness(None, read, resources.complete and not unread_details, "；".join(notes), resources.url)
