from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

_EMBED_SCRIPT = "link/initialize.js"


@require_GET
@cache_control(public=True, max_age=300)
def embed_script(request):
    """The embed script at a stable URL (`/initialize.js`, where Vital's hook looks for it);
    short-lived caching so a new release reaches embedding pages quickly."""
    path = finders.find(_EMBED_SCRIPT) or settings.STATIC_ROOT / _EMBED_SCRIPT
    with open(path, "rb") as script:
        return HttpResponse(script.read(), content_type="text/javascript; charset=utf-8")
