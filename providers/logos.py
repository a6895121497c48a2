"""Each vendor's logo lives in its folder, providers/vendors/<slug>/logo.svg, and is served as the
static file providers/<slug>.svg: a URL that stays put whatever the folders look like. The
finder below is listed in STATICFILES_FINDERS, so collectstatic and whitenoise find the logos."""

from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

VENDORS_DIR = Path(__file__).resolve().parent / "vendors"
_PREFIX = "providers"


def logo_path(slug: str) -> str:
    """The static path a vendor's logo is served at."""
    return f"{_PREFIX}/{slug}.svg"


def logo_file(slug: str) -> Path:
    return VENDORS_DIR / slug / "logo.svg"


class _LogoStorage(FileSystemStorage):
    """`<slug>.svg` read from the vendor's folder."""

    prefix = _PREFIX

    def path(self, name):
        return str(logo_file(name.removesuffix(".svg")))


class VendorLogoFinder(BaseFinder):
    def find(self, path, find_all=False):
        slug = path.removeprefix(f"{_PREFIX}/").removesuffix(".svg")
        if not (logo_path(slug) == path and slug.isidentifier() and logo_file(slug).is_file()):
            return []  # what Django's finders answer for "not here"
        return [str(logo_file(slug))] if find_all else str(logo_file(slug))

    def list(self, ignore_patterns):
        storage = _LogoStorage(location=VENDORS_DIR)
        for logo in sorted(VENDORS_DIR.glob("*/logo.svg")):
            yield f"{logo.parent.name}.svg", storage
