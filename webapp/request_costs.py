"""What every request pays: library hooks kept to the requests they have work for (issue 8).

Flask-Limiter and Flask-Login hook into every request, a health check or a static file as
much as a page. Where a hook can be shown to have nothing to do for a request, it is skipped
for that request; every other request runs it exactly as before. bench/README.md has what
each of these saves; tests/test_request_hooks.py shows that limits, rate-limit headers and
cookies are what they were.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from flask import Flask, Request, Response, request, session
from flask.ctx import RequestContext
from flask.globals import request_ctx
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from itsdangerous import BadSignature, URLSafeTimedSerializer

from webapp.extensions import csrf, limiter, login_manager

# ensure_sync answers are kept for at most this many callables: hooks, views and error
# handlers are registered once, so the app has a few hundred; the bound only guards memory.
_SYNC_CACHE_MAX = 4096


class SigningOnceSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer made once per key set, and
    each cookie checked once per worker.

    Flask builds a new serializer (keys, salt, signer, and a JSON round trip to learn that it
    serialises text) twice per request, to open the session and again to save it; for a
    health check that is a tenth of the request. The serializer holds no per-request state,
    so one per secret key (and fallbacks) signs and checks exactly the same cookies.

    Checking a cookie (two HMACs, base64, zlib and tagged JSON) cost a signed-in page or a
    check-in as much as one of its SQL queries. A browser sends its session cookie unchanged
    until the session changes, and the same string checked again gives the same data and the
    same signing time; only its age moves on. So what a cookie held is kept, by its exact
    string, and only its age is checked again. A cookie whose data holds anything but plain
    values (a list of flashed messages, say) is not kept: a request could change it in place.
    """

    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer | None] = {}
        self._checked: dict[tuple[URLSafeTimedSerializer, str], _Checked] = {}
        self._clocks: dict[URLSafeTimedSerializer, Any] = {}  # its signer: its clock

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        try:
            return self._serializers[keys]
        except KeyError:
            serializer = self._serializers[keys] = super().get_signing_serializer(app)
            return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        # Most requests without a session cookie are a first visit or a health check. Flask
        # would parse the cookies (which walks the whole WSGI environ for Cookie headers) and
        # learn that the cookie is missing from `cookies.get`, which raises and catches an
        # HTTP exception (a Werkzeug MultiDict's way of saying "not there").
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        name = self.get_cookie_name(app)
        cookies = request.cookies if has_cookies(request) else None
        cookie = cookies[name] if cookies and name in cookies else None
        if not cookie:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        checked = self._checked.get((serializer, cookie))
        if checked is None:
            try:
                data, signed = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
            except BadSignature:  # also an expired one, as Flask does
                return self.session_class()
            checked = _Checked(data, int(signed.timestamp()))
            if _plain(data):
                self._keep((serializer, cookie), checked)
            return self.session_class(data)
        clock = self._clocks.get(serializer) or self._clocks.setdefault(
            serializer, serializer.make_signer()
        )
        age = clock.get_timestamp() - checked.signed_at
        if not 0 <= age <= max_age:  # itsdangerous' own test
            self._checked.pop((serializer, cookie), None)
            return self.session_class()
        return self.session_class(checked.data)  # a copy: the request changes its own

    def _keep(self, key: tuple[URLSafeTimedSerializer, str], checked: _Checked) -> None:
        if len(self._checked) >= _CHECKED_MAX:
            self._checked.clear()  # a few cookies checked again, and safe between threads
        self._checked[key] = checked

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        # An empty session that nothing emptied (a health check, a first visit, a static
        # file) sets and deletes no cookie; Flask would work out the cookie's name, domain,
        # path and flags first, and go through the parsed Vary header set to add one word.
        if not session and not session.modified:
            if session.accessed:
                _vary_on_cookie(response)
            return
        super().save_session(app, session, response)


# Session cookies kept checked per worker: about one per person who used it lately (a cookie
# is a few hundred bytes); the bound only guards memory.
_CHECKED_MAX = 2048


@dataclass(frozen=True)
class _Checked:
    """What a session cookie held when checked, and when it was signed (read against the
    signer's own clock, as itsdangerous does)."""

    data: dict[str, Any]
    signed_at: int


def _plain(data: dict[str, Any]) -> bool:
    return all(type(value) in (str, int, float, bool, type(None)) for value in data.values())


def this_request_context() -> RequestContext:
    """The request's own context, unwrapped once where a hook would otherwise go through
    Flask's proxies (`request`, `session`) for every look."""
    return request_ctx._get_current_object()  # type: ignore[attr-defined,no-any-return]


def has_cookies(request: Request) -> bool:
    """Whether the request sent a Cookie header at all: one look in the WSGI environ, where
    `request.cookies` would parse one."""
    return "HTTP_COOKIE" in request.environ


def _vary_on_cookie(response: Response) -> None:
    """`response.vary.add("Cookie")`, without parsing and writing back a Vary the response
    does not have yet."""
    # getlist, not `in`: Werkzeug answers "not there" to `in` and `get` by raising and
    # catching an HTTP exception, which costs more than the look-up.
    if response.headers.getlist("Vary"):
        response.vary.add("Cookie")
    else:
        response.headers["Vary"] = "Cookie"


class NaraFlask(Flask):
    """Flask, with the per-request costs that cannot change for a running app paid once."""

    session_interface = SigningOnceSessionInterface()

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        # Flask asks inspect whether each hook and view is a coroutine function, for every
        # request (about a dozen times); the answer for a given callable never changes.
        cache: dict[Callable[..., Any], Callable[..., Any]] = self.__dict__.setdefault(
            "_ensure_sync_cache", {}
        )
        try:
            return cache[func]
        except KeyError:
            pass
        except TypeError:  # an unhashable callable: ask every time
            return super().ensure_sync(func)
        sync = super().ensure_sync(func)
        if len(cache) < _SYNC_CACHE_MAX:
            cache[func] = sync
        return sync


def trim(app: Flask) -> None:
    """Called once the blueprints and the other hooks are registered."""
    unhook_idle_limit_check(app, limiter)
    limit_hooks_only_where_a_limit_ran(app, limiter)
    remember_cookie_hook_only_with_a_session(app, login_manager)
    csrf_check_only_for_unsafe_methods(app, csrf)


def unhook_idle_limit_check(app: Flask, limiter: Limiter) -> None:
    """Take Flask-Limiter's check before every request away while it has nothing to check.

    That hook counts application-wide, default, meta and blueprint limits, which Nära has
    none of: its limits sit on the views that need them (sign-in, invitations, the calendar
    feed), and those are counted by their decorators when the view runs, hook or not. Run
    on every request the hook finds nothing, at about the cost of a whole bare Flask request.
    It must run after the blueprints are registered, so that a limit put on a blueprint is
    seen; should any of those limits be configured, the hook stays. (The names are
    Flask-Limiter 4's; a name it lacks counts as a configured limit, and the hook stays.)
    """
    manager = limiter.limit_manager
    configured = (
        getattr(manager, "_application_limits", True)
        or getattr(manager, "_default_limits", True)
        or getattr(manager, "_blueprint_limits", True)
        or getattr(limiter, "_meta_limits", True)
    )
    if not configured:
        _replace(app.before_request_funcs, limiter._check_request_limit, None)


def limit_hooks_only_where_a_limit_ran(app: Flask, limiter: Limiter) -> None:
    """Run Flask-Limiter's after-request and teardown hooks only for a request it limited.

    They write the X-RateLimit-* headers, make deductions that wait for the response and
    clear the request's limit state. All of that lives in the state Flask-Limiter puts on
    the request context when it first counts a limit for the request; a request without
    that state (no limited view ran, and the check before every request is gone) has
    nothing for them, and they would make the state only to find it empty.
    """
    if not limiter_hooks_unhooked(app, limiter):  # the check before every request stays
        return

    def ran() -> bool:
        # Flask-Limiter keeps its state as an attribute of this request's context. Looked up
        # in the context's own attributes: hasattr through the proxy costs a raised and
        # caught AttributeError on every request without a limit.
        return "_limiter_request_context" in vars(this_request_context())

    for hook in app.after_request_funcs.get(None, []):
        if isinstance(hook, partial) and hook.args == (limiter,):  # __inject_headers

            def inject_headers(response: Any, hook: Callable[[Any], Any] = hook) -> Any:
                return hook(response) if ran() else response

            _replace(app.after_request_funcs, hook, inject_headers)
            break
    release = limiter._Limiter__release_context  # type: ignore[attr-defined]

    def release_context(error: BaseException | None = None) -> None:
        if ran():
            release(error)

    _replace(app.teardown_request_funcs, release, release_context)


def limiter_hooks_unhooked(app: Flask, limiter: Limiter) -> bool:
    return limiter._check_request_limit not in app.before_request_funcs.get(None, [])


def remember_cookie_hook_only_with_a_session(app: Flask, manager: LoginManager) -> None:
    """Run Flask-Login's remember-cookie hook only when the session holds something.

    The hook sets or clears the remember cookie on the word of `_remember` in the session;
    in an empty session there is no such word, and unless REMEMBER_COOKIE_REFRESH_EACH_REQUEST
    is on (it is not: Nära has no remember cookie) the hook leaves an empty session alone.
    """
    hook = manager._update_remember_cookie

    def update_remember_cookie(response: Any) -> Any:
        if session or app.config.get("REMEMBER_COOKIE_REFRESH_EACH_REQUEST"):
            return hook(response)
        return response

    _replace(app.after_request_funcs, hook, update_remember_cookie)


def csrf_check_only_for_unsafe_methods(app: Flask, protect: CSRFProtect) -> None:
    """Run Flask-WTF's CSRF check before a request only for the methods it checks.

    Its hook looks the view up among the exempt ones before it looks at the method, so every
    GET pays for a check that ends at "not a POST". The method is looked at first here; a
    POST (or another method in WTF_CSRF_METHODS) runs the hook exactly as before.
    """
    for hook in app.before_request_funcs.get(None, []):
        if (
            getattr(hook, "__name__", "") == "csrf_protect"
            and hook.__module__ == CSRFProtect.__module__
        ):

            def csrf_protect(hook: Callable[[], Any] = hook) -> Any:
                if request.method in app.config["WTF_CSRF_METHODS"]:
                    return hook()
                return None

            _replace(app.before_request_funcs, hook, csrf_protect)
            return
    raise RuntimeError("Flask-WTF's CSRF hook was not found: CSRF protection must not be lost")


def _replace(
    hooks: dict[Any, list[Callable[..., Any]]],
    old: Callable[..., Any],
    new: Callable[..., Any] | None,
) -> None:
    """Put `new` in the place of `old` among the app-wide hooks (or take `old` out)."""
    functions = [new if function == old else function for function in hooks.get(None, [])]
    hooks[None] = [function for function in functions if function is not None]
