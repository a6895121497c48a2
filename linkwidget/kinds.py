"""Each kind of request passes only the middleware it uses (issue 22). The kind comes from the
path; every kind has its own chain, built once per process the way Django builds
settings.MIDDLEWARE. What every kind needs stays in settings.MIDDLEWARE, around this one: the
probes before everything, SecurityMiddleware (https redirect, HSTS, nosniff, referrer and opener
policies) and XFrameOptionsMiddleware, so that Django's deployment checks still see them.

Only the console and the demo (a pretend customer site) keep a session, a user and messages;
CSRF's cookie check guards their forms. The widget's steps are CSRF-exempt (the link token
authorises them; link/views/base.py says why) and it takes no cookie, but for the OAuth start
page's form and the cookie that binds a sign-in to one browser; the API authenticates by
key or bearer token. Anything else (the demo, an unknown path) gets the site's chain, the
console's."""

from django.core.checks import Error, register
from django.core.handlers.exception import convert_exception_to_response
from django.utils.module_loading import import_string

_COMMON = "django.middleware.common.CommonMiddleware"  # Content-Length
_NUL = "api.middleware.NulCharacterMiddleware"
_PAGES_LIMITED = "linkwidget.ratelimit.PageRateLimitMiddleware"
_LOCALE = "django.middleware.locale.LocaleMiddleware"
_HTMX = "django_htmx.middleware.HtmxMiddleware"
_SITE = [
    _NUL,
    _PAGES_LIMITED,
    "django.contrib.sessions.middleware.SessionMiddleware",
    _LOCALE,
    _COMMON,
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    _HTMX,
]

STACKS = {
    "static": ["whitenoise.middleware.WhiteNoiseMiddleware"],
    "api": [
        "api.middleware.LegacyClientMiddleware",
        "api.middleware.ApiJsonErrorsMiddleware",
        "api.middleware.ApiTrailingSlashMiddleware",
        _NUL,
        "linkwidget.ratelimit.ApiRateLimitMiddleware",
        # The not-offered messages speak the browser's language.
        _LOCALE,
        _COMMON,
    ],
    "widget": [_NUL, _PAGES_LIMITED, _LOCALE, _COMMON, _HTMX],
    # The OAuth start page and callback: widget pages on the path the vendors know, whose
    # Continue button is a form that CSRF's cookie check guards.
    "oauth": [
        "api.middleware.ApiJsonErrorsMiddleware",  # under /v2/: every error is JSON
        _NUL,
        _PAGES_LIMITED,
        _LOCALE,
        _COMMON,
        _HTMX,
        "django.middleware.csrf.CsrfViewMiddleware",
    ],
    # Vendors' notifications of new data (health.push): no cookie, form or person.
    "push": [_NUL, _COMMON],
    # A fixed script, cached by browsers: nothing to limit or translate.
    "embed": [_COMMON],
    "sandbox": [_NUL, _PAGES_LIMITED, _COMMON],
    "console": _SITE,
    "site": _SITE,
}


def kind_of(path: str) -> str:
    """The kind of a request, from its path (before any middleware rewrites it)."""
    if path.startswith("/v2/link/connect/") and path.rstrip("/") != "/v2/link/connect/demo":
        return "oauth"
    if path.startswith(("/v2/", "/v1/", "/oauth/")) or path in ("/docs", "/openapi.json"):
        return "api"
    if path == "/" or path.startswith("/link/"):
        return "widget"
    if path.startswith("/static/"):
        return "static"
    if path == "/initialize.js":
        return "embed"
    if path.startswith("/sandbox/"):
        return "sandbox"
    if path.startswith("/push/"):
        return "push"
    if path.startswith("/admin/"):
        return "console"
    return "site"


class MiddlewarePerKind:
    """Runs the request through its kind's chain. Django calls the `process_view` of the
    middleware in settings.MIDDLEWARE only, so this one calls those of the kind's chain (CSRF's
    is the only one); no middleware used here has process_exception or
    process_template_response."""

    def __init__(self, get_response):
        self.chains, self.view_hooks = {}, {}
        for kind, paths in STACKS.items():
            handler, hooks = get_response, []
            for path in reversed(paths):
                middleware = import_string(path)(handler)
                if hasattr(middleware, "process_view"):
                    hooks.insert(0, middleware.process_view)
                handler = convert_exception_to_response(middleware)
            self.chains[kind], self.view_hooks[kind] = handler, hooks

    def __call__(self, request):
        request.kind = kind_of(request.path_info)
        return self.chains[request.kind](request)

    def process_view(self, request, view, args, kwargs):
        for hook in self.view_hooks[request.kind]:
            response = hook(request, view, args, kwargs)
            if response is not None:
                return response
        return None


# What Django's own checks look for in settings.MIDDLEWARE (admin.E408-E410 and security.W003,
# silenced in settings): here, in the chains of the console and the demo.
SITE_NEEDS = (
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
)


@register("admin", "security")
def site_middleware_check(app_configs, **kwargs):
    return [
        Error(f"{path} must be in the {kind} middleware (linkwidget.kinds).", id="linkwidget.E002")
        for kind in ("console", "site")
        for path in SITE_NEEDS
        if path not in STACKS[kind]
    ]
