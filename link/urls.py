from django.urls import path

from .views import demo, embed, oauth_open, provider, steps

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
    # Under the OAuth callback's path, so the cookie that binds a sign-in to a browser reaches
    # both and nothing else.
    path("v2/link/connect/<slug:provider>/open", oauth_open.oauth_open, name="oauth-open"),
    path("initialize.js", embed.embed_script, name="embed-script"),
    path("demo/", demo.demo, name="demo"),
    path("demo/connect", demo.demo_connect, name="demo-connect"),
    path("demo/new-user", demo.demo_new_user, name="demo-new-user"),
]
