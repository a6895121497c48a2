"""Health probes and metrics, answered before any other middleware: load balancers, orchestrators
and Prometheus reach an app process directly, by its address and over plain http, so these paths
skip the host check, the https redirect, sessions and the rate limiter (which needs the cache that
readiness reports on)."""

from . import views

_ENDPOINTS = {"/healthz": views.healthz, "/readyz": views.readyz, "/metrics": views.metrics}


class ProbeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        endpoint = _ENDPOINTS.get(request.path_info)
        if endpoint is None:
            return self.get_response(request)
        return endpoint(request)
