"""The sandbox's mirror of every vendor's hosts: each vendor's emulator
(providers/vendors/<slug>/emulator.py) answers at /sandbox/<the vendor's real host name>/<the
vendor's own path>, and its sandbox-only levers at /sandbox/<slug>/. Mounted only when
LINK_SANDBOX_ENABLED is on (linkwidget/urls.py)."""

from django.urls import include, path

from ..http import sandbox_path
from ..registry import ADAPTERS, vendor_class
from .base import Emulator

EMULATORS: dict[str, Emulator] = {
    slug: vendor_class(slug, "emulator", Emulator)() for slug in ADAPTERS
}

urlpatterns = [
    *(
        path(f"{sandbox_path(base)}/", include(patterns))
        for emulator in EMULATORS.values()
        for base, patterns in emulator.hosts().items()
    ),
    *(
        path(f"sandbox/{slug}/", include(controls))
        for slug, emulator in EMULATORS.items()
        if (controls := emulator.controls())
    ),
]
