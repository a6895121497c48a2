_API_PREFIXES = ("/v2/", "/oauth/")


class ApiTrailingSlashMiddleware:
    """Serve `/v2/user/` as `/v2/user`: Vital's docs use the slash and its SDK does not, and a
    redirect would turn a POST into a GET in clients that follow it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if len(path) > 1 and path.endswith("/") and path.startswith(_API_PREFIXES):
            request.path_info = path.rstrip("/")
        return self.get_response(request)
