"""How a detail page carries its video: ``<video>``/``<source>``, player configs in scripts
(``new Player``, ``jwplayer().setup``, ``ckplayer``), Flash ``flashvars``, or a JSON storage
list; and the small player script the platform serves (it builds a ``<video>`` element,
as real players do)."""

from __future__ import annotations

import json

from .markup import Markup, esc
from .model import VideoFile
from .scripts import js_source

__all__ = ["PLAYER_JS", "embed"]

PLAYER_JS = js_source("player.js")


def embed(video: VideoFile, href: str, m: Markup, player_src: str, title: str) -> str:
    """The markup of ``video`` (``href`` is how the page writes its address)."""
    url = esc(href)
    box = m.v.w("plbox")
    script = f'<script src="{esc(player_src)}"></script>'
    hls = video.source == "hls"
    mime = "application/x-mpegURL" if hls else "video/mp4"
    kind = video.embed
    if kind == "video_tag":
        return f'<video src="{url}" controls width="640" {m.c("vd")}></video>'
    if kind == "source_tag":
        return f'<video controls width="640" {m.c("vd")}><source src="{url}" type="{mime}"></video>'
    if kind == "player_js":
        return (
            f'<div id="{box}"></div>{script}'
            f"<script>new Player({{id: '{box}', file: '{href}', autoplay: false}});</script>"
        )
    if kind == "jwplayer":
        return (
            f'<div id="{box}"></div>{script}<script>jwplayer("{box}").setup({{file: "{href}", width: 640}});</script>'
        )
    if kind == "ckplayer":
        return (
            f'<div id="{box}"></div>{script}<script>var videoObject = {{container: "#{box}", '
            f"variable: 'player', video: '{href}'}}; var player = new ckplayer(videoObject);</script>"
        )
    if kind == "flash":
        swf = esc(player_src.replace(".js", ".swf"))
        vars_ = f"file={url}&amp;autostart=false"
        return (
            f'<object width="640" height="400" type="application/x-shockwave-flash" data="{swf}">'
            f'<param name="movie" value="{swf}"><param name="flashvars" value="{vars_}">'
            f'<embed src="{swf}" flashvars="{vars_}" width="640" height="400"></object>'
        )
    info = json.dumps({"title": title, "ti_storages": [href]}, ensure_ascii=False)
    var = m.v.w("resinfo")
    return (
        f'<div id="{box}"></div>{script}<script>var {var} = {info};'
        f"new Player({{id: '{box}', file: {var}.ti_storages[0]}});</script>"
    )
