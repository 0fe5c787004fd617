"""The self-check web app (FastAPI): the page a teacher pastes an address into, the result
page with the reviewers' report card, and the JSON API of the contract.

FastAPI rather than bare Starlette: the API's request and answer models validate input
and produce ``/openapi.json`` from the same code, so the bureau portal's contract cannot
drift from what the server accepts. The interactive docs pages are off (they load
scripts from a CDN).

Safety: the SSRF guard judges the address when the check is asked for (a private or
loopback target is refused at once, with a 403 in Chinese); the rubric is one of the
built-in ones (never a path); every page carries a CSP without any script source, so
nothing crawled can run, and every crawled string is escaped by Jinja2; the pages load
nothing but from this server (pictures of the space are ``data:`` URIs it serves).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import PackageLoader
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from crawler import STAGES, RefusedAddress, check_target_url, single_url
from errors import SpacebotError
from inspectors import DEFAULT_RUBRIC, available_rubrics, item_titles, load_rubric
from reports import changes_between, render_card_body, template_environment
from store import SnapshotStore

from ..pipeline import GROUPS
from ._service import Busy, CheckService, Job, ServeSettings, client_key

__all__ = ["create_app"]

logger = logging.getLogger("spacebot.web")

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
_MAX_BODY = 16 * 1024  # a check request is an address and two choices


class _BodyLimit:
    """Refuses a request body larger than ``_MAX_BODY`` before it is read into memory: by
    its Content-Length, or while it streams in (no length, or a false one)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > _MAX_BODY:
            response = JSONResponse({"error": "提交的内容过长：请只提交空间网址和选项"}, status_code=413)
            response.headers.update(SECURITY_HEADERS)
            await response(scope, receive, send)
            return
        seen = 0

        async def counted() -> Any:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > _MAX_BODY:
                raise Problem(413, "提交的内容过长：请只提交空间网址和选项")
            return message

        await self.app(scope, counted, send)


class CheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    url: str = Field(max_length=4096, description="教师空间的网址（http:// 或 https://）")
    group: str | None = Field(None, description="学段：幼儿园、小学、初中或高中；不填则不指定")
    rubric: str | None = Field(None, description=f"评价标准的名称，默认 {DEFAULT_RUBRIC}")
    fresh: bool = Field(False, description="为真时不用 10 分钟内的检查结果，重新检查")


class CheckAccepted(BaseModel):
    id: str
    status: str = Field(description="queued | running | done | error")


class CheckState(BaseModel):
    id: str
    status: str = Field(description="queued | running | done | error")
    url: str
    stage: str | None = Field(None, description="当前步骤：" + "、".join(f"{k}（{v}）" for k, v in STAGES.items()))
    stage_text: str | None = None
    queue_position: int | None = Field(None, description="排队时前面的检查数")
    error: str | None = Field(None, description="检查未能完成时的原因（中文）")
    result: dict[str, Any] | None = Field(None, description="完成后：spacebot/check-1 文档")


class Problem(Exception):
    """A request that cannot be served: an HTTP status and a Chinese message."""

    def __init__(self, status: int, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.retry_after = status, message, retry_after


def create_app(db: str, settings: ServeSettings | None = None) -> FastAPI:
    """The app, checking into the database at ``db`` (opened when the server starts)."""
    settings = settings or ServeSettings()
    store = SnapshotStore(db)
    service = CheckService(store, settings)
    env = template_environment(PackageLoader("spacebot", "web/templates"))
    env.filters["when"] = _when
    rubrics = [(name, load_rubric(name).title) for name in available_rubrics()]

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await service.start()
        try:
            yield
        finally:
            await service.stop()

    app = FastAPI(
        title="spacebot 教师空间自查",
        description="提交教师空间网址进行检查，查询检查进度和结果（spacebot/check-1 文档）。",
        version="1",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.service = service

    def page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(template).render(**context)
        return HTMLResponse(html, status_code=status)

    def index_page(status: int = 200, problem: str | None = None, **fields: Any) -> HTMLResponse:
        return page(
            "index.html.j2",
            status,
            title="教师网络学习空间自查",
            groups=GROUPS,
            rubrics=rubrics,
            rubric=fields.get("rubric") or DEFAULT_RUBRIC,
            url=fields.get("url"),
            group=fields.get("group"),
            problem=problem,
            access_log=settings.access_log,
        )

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    app.add_middleware(_BodyLimit)

    async def validated(url: str, group: str | None, rubric: str | None) -> tuple[str, str | None, str]:
        try:
            normalized = check_target_url(single_url(url), allow_private=True)
        except SpacebotError as exc:
            raise Problem(422, str(exc)) from None
        group = group or None
        if group is not None and group not in GROUPS:
            raise Problem(422, f"学段“{group}”无效：只能是 {'、'.join(GROUPS)} 之一，或不填")
        rubric = rubric or DEFAULT_RUBRIC
        if rubric not in dict(rubrics):
            raise Problem(422, f"评价标准“{rubric}”不存在：可选 {'、'.join(dict(rubrics))}")
        try:
            await asyncio.wait_for(settings.policy.check(normalized), 5)
        except TimeoutError:
            pass  # a name that does not resolve in time: the check itself says it is unreachable
        except RefusedAddress:
            host = urlsplit(normalized).hostname
            raise Problem(
                403,
                f"不能检查内网或本机地址（{host}）：教师空间应在公网上，请检查网址是否正确；"
                "如需检查本单位内网平台，请联系管理员在启动服务时允许该地址",
            ) from None
        return normalized, group, rubric

    async def take(request: Request, url: str, group: str | None, rubric: str | None, fresh: bool) -> Job:
        """A check asked for: validated first (a typo does not use up the client's share),
        then counted against the client's rate limit, then queued."""
        normalized, group, rubric = await validated(url, group, rubric)
        client = client_key(request.client.host if request.client else "unknown")
        try:
            service.limiter.take(client)
            return await service.submit(normalized, rubric, group, client, fresh=fresh)
        except Busy as exc:
            raise Problem(429, exc.message, exc.retry_after) from None

    def job_of(job_id: str) -> Job:
        job = service.jobs.get(job_id)
        if job is None:
            raise Problem(404, "没有找到这次检查：检查记录只在服务运行期间保留，请重新提交空间网址")
        return job

    @app.exception_handler(Problem)
    async def problem_answer(request: Request, exc: Problem) -> Response:
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.message}, status_code=exc.status, headers=headers)
        response = page("error.html.j2", exc.status, title="无法完成请求", message=exc.message)
        if headers:
            response.headers.update(headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        return JSONResponse({"error": _validation_message(exc.errors())}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        known = {404: "没有这个页面", 405: "不支持这种请求方式"}
        message = known.get(exc.status_code, f"请求无法处理（{exc.status_code}）")
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, status_code=exc.status_code)
        return page("error.html.j2", exc.status_code, title=message, message=message)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        # Answered from outside the app's middleware: the security headers are set here.
        logger.exception("request %s failed", request.url.path)
        message = "服务器内部错误，请稍后再试；如果反复出现，请联系管理员"
        if request.url.path.startswith("/api/"):
            response: Response = JSONResponse({"error": message}, status_code=500)
        else:
            response = page("error.html.j2", 500, title="服务器内部错误", message=message)
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index() -> HTMLResponse:
        return index_page()

    @app.post("/checks", include_in_schema=False)
    async def submit_form(request: Request) -> Response:
        if _cross_site(request):
            raise Problem(403, "请在本站的自查页面上提交检查")
        body = await request.body()
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        fields = {"url": form.get("url", ""), "group": form.get("group") or None, "rubric": form.get("rubric")}
        try:
            job = await take(request, fields["url"] or "", fields["group"], fields["rubric"], form.get("fresh") == "1")
        except Problem as exc:
            response = index_page(exc.status, exc.message, **fields)
            if exc.retry_after:
                response.headers["Retry-After"] = str(exc.retry_after)
            return response
        return RedirectResponse(f"/checks/{job.id}", status_code=303)

    @app.get("/checks/{job_id}.json", include_in_schema=False)
    async def download(job_id: str) -> Response:
        job = job_of(job_id)
        document = await service.document(job)
        if document is None:
            raise Problem(404, "这次检查还没有结果，请稍后再下载")
        return JSONResponse(
            _public(document), headers={"Content-Disposition": f'attachment; filename="spacebot-check-{job.id}.json"'}
        )

    @app.get("/checks/{job_id}", response_class=HTMLResponse, include_in_schema=False)
    async def check_page(job_id: str) -> HTMLResponse:
        job = job_of(job_id)
        context: dict[str, Any] = {"job": job, "stages": list(STAGES.items())}
        if job.status in ("queued", "running"):
            title = "排队等待检查" if job.status == "queued" else "正在检查"
            return page("check.html.j2", title=title, refresh=2, position=service.queue_position(job), **context)
        if job.status == "error":
            return page("check.html.j2", title="检查未能完成", **context)
        assert job.snapshot_id is not None
        document = await service.document(job)
        assert document is not None
        titles = item_titles(job.rubric)
        card = await service.db(render_card_body, service.store, job.snapshot_id, titles=titles)
        recent = await service.history(job.url)
        for newer, older in zip(recent, [*recent[1:], None], strict=True):
            newer["changes"] = changes_between(older["document"], newer["document"]) if older else None
        to_fix = [f for f in document["findings"] if f["severity"] == "fail"]
        to_review = [f for f in document["findings"] if f["severity"] == "review"]
        to_improve = [f for f in document["findings"] if f["severity"] == "warn"]
        teacher = document["profile"].get("name") or "空间"
        return page(
            "check.html.j2",
            title=f"{teacher}的检查结果",
            doc=document,
            titles=titles,
            to_fix=to_fix,
            to_review=to_review,
            to_improve=to_improve,
            recent=recent,
            card=card,
            **context,
        )

    @app.post("/api/checks", status_code=202, response_model=CheckAccepted, summary="提交一次检查")
    async def api_submit(request: Request, body: CheckRequest) -> CheckAccepted:
        job = await take(request, body.url, body.group, body.rubric, body.fresh)
        return CheckAccepted(id=job.id, status=job.status)

    @app.get("/api/checks/{job_id}", response_model=CheckState, summary="查询检查的进度和结果")
    async def api_state(job_id: str) -> CheckState:
        job = job_of(job_id)
        return CheckState(
            id=job.id,
            status=job.status,
            url=job.url,
            stage=job.stage,
            stage_text=STAGES.get(job.stage or ""),
            queue_position=service.queue_position(job) if job.status == "queued" else None,
            error=job.error,
            result=_public(await service.document(job)) if job.status == "done" else None,
        )

    return app


def _when(stamp: str | None) -> str:
    """An ISO time as a teacher reads it (2026年12月2日 15:54), in the time it was written in."""
    try:
        moment = datetime.fromisoformat(stamp or "")
    except ValueError:
        return stamp or ""
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def _public(document: dict[str, Any] | None) -> dict[str, Any] | None:
    """A check as the page and the API give it to anyone who asks: the teacher's contact
    details are hidden, as on the card (they stay in the database for the reviewers)."""
    if document is None or not document["profile"].get("contact"):
        return document
    return {**document, "profile": {**document["profile"], "contact": None}}


def _cross_site(request: Request) -> bool:
    """A form posted from another site's page (its visitors' browsers would spend their
    own addresses' shares of checks on its behalf)."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return True
    origin = request.headers.get("origin")
    return bool(origin) and origin != "null" and urlsplit(origin).netloc != request.headers.get("host")


_FIELDS = {"url": "url（空间网址）", "group": "group（学段）", "rubric": "rubric（评价标准）", "fresh": "fresh"}


def _validation_message(errors: Any) -> str:
    """pydantic's complaints about a request body, in Chinese."""
    parts = []
    for error in errors:
        location = [str(x) for x in error.get("loc", ()) if x != "body"]
        name = _FIELDS.get(location[0], location[0]) if location else "请求内容"
        kind = error.get("type", "")
        if kind == "missing":
            parts.append(f"缺少 {name}")
        elif kind == "extra_forbidden":
            parts.append(f"不认识的字段 {location[-1] if location else ''}（只能有 url、group、rubric、fresh）")
        elif kind == "json_invalid" or not location:
            parts.append("请求内容不是有效的 JSON 对象")
        elif kind.startswith("string_too_long"):
            parts.append(f"{name} 过长")
        elif kind.startswith("bool"):
            parts.append(f"{name} 应为 true 或 false")
        else:
            parts.append(f"{name} 应为文字")
    return "请求格式不正确：" + "；".join(dict.fromkeys(parts)) + '。示例：{"url": "https://平台网址/space/12345"}'
