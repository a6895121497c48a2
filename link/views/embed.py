from urllib.parse import urlsplit

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(public=True, max_age=300)
def embed_script(request):
    """The embed script at a stable URL (`/initialize.js`, where Vital's hook looks for it);
    short-lived caching so a new release reaches embedding pages quickly. It names the widget's
    origin itself, so it works wherever it is loaded from (a bundle, a proxy, a test route)."""
    public = urlsplit(settings.LINK_PUBLIC_URL)
    return render(
        request,
        "link/initialize.js",
        {"origin": f"{public.scheme}://{public.netloc}"},
        content_type="text/javascript; charset=utf-8",
    )
