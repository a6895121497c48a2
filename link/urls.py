from django.urls import path, register_converter

from providers.registry import VENDOR_SLUGS

from .views import demo, embed, oauth_open, provider, steps


class VendorConverter:
    """A vendor's slug: the OAuth callback exists for the vendors we have, and leaves the API's
    `POST /v2/link/connect/demo` beside it alone."""

    regex = "|".join(VENDOR_SLUGS)

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(VendorConverter, "vendor")

app_name = "link"

urlpatterns = [
    path("", steps.start, name="start"),
    path("link/providers", steps.providers, name="providers"),
    path("link/provider/<slug:provider>", provider.provider_step, name="provider"),
    path("link/provider/<slug:provider>/mfa", provider.mfa_step, name="mfa"),
    path("link/provider/<slug:provider>/oauth", provider.oauth_start, name="oauth-start"),
    path("link/provider/<slug:provider>/wait", provider.oauth_wait, name="oauth-wait"),
    path("link/result", steps.result, name="result"),
    path("link/close", steps.close, name="close"),
    # The redirect URI registered with every vendor (providers.registry.oauth_redirect_uri): its
    # path stays what the vendors know.
    path("v2/link/connect/<vendor:provider>", provider.oauth_callback, name="oauth-callback"),
    # Under the OAuth callback's path, so the cookie that binds a sign-in to a browser reaches
    # both and nothing else.
    path("v2/link/connect/<vendor:provider>/open", oauth_open.oauth_open, name="oauth-open"),
    path("initialize.js", embed.embed_script, name="embed-script"),
    path("demo/", demo.demo, name="demo"),
    path("demo/connect", demo.demo_connect, name="demo-connect"),
    path("demo/new-user", demo.demo_new_user, name="demo-new-user"),
]
