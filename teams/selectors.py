from django.db.models import Q


def in_environment(environment: str | None, path: str = "team") -> Q:
    """Rows of the teams of one environment ("sandbox" or "production"; None: all), where `path`
    leads from the row to its team."""
    return Q(**{f"{path}__environment": environment}) if environment else Q()
