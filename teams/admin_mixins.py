"""What console pages of every app share, with no page of its own (so that the console's site
module can use it before any app registers its pages)."""


class ReadOnly:
    """A console page that only shows: what it lists is written elsewhere (by the API, the
    worker or Django itself)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
