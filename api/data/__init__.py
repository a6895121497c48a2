"""Vital's data API over the health store: summaries, time series, streams and introspection,
with the same auth, isolation (another team's user is a 404) and error shapes as the rest."""

from ninja import Router

from . import introspect, summary, timeseries

router = Router()
router.add_router("", summary.router)
router.add_router("", timeseries.router)
router.add_router("", introspect.router)
