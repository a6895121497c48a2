"""Where vendors push word of new data: `/push/<provider>`, the address to register with each
vendor that pushes (Oura's, Strava's and WHOOP's webhooks, Withings' notify, Garmin's pings,
Polar's webhooks). The vendor's reader (providers.data.VendorData.notice) reads the notification
its own way (subscription challenges, signatures); each notice queues one incremental pull per
connection and resource it names. A notice's content is never stored: the data comes from the
pull, so a forged notice can cost a pull, never plant data."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from providers.registry import DATA_READERS, push_apps

from .pulling import notices_pull


@csrf_exempt
def push_view(request, provider: str):
    reader = DATA_READERS.get(provider)
    if reader is None or not reader.pushes:
        return JsonResponse({"detail": "Not Found"}, status=404)
    response, notices = reader.notice(request, push_apps(provider))
    notices_pull(provider=provider, notices=notices)
    return response
