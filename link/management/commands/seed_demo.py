import json

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from teams.models import ApiKey, Team
from teams.services import api_key_create, api_key_scopes_clean, secret_hash
from webhooks.services import webhook_endpoint_upsert

DEMO_ADMIN = "admin"
DEMO_ADMIN_PASSWORD = "admin-demo-password"  # noqa: S105 (sandbox demo only)


class Command(BaseCommand):
    help = (
        "Create or update the sandbox team 'Demo', its API key and a console superuser, and "
        "print them as one JSON object. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--api-key", help="Use this API key (at least 32 characters).")
        parser.add_argument("--webhook-url", help="Send the team's webhooks here.")
        parser.add_argument("--webhook-secret", help="Sign webhooks with this whsec_ secret.")
        parser.add_argument(
            "--redirect-url", action="append", default=[], help="An allowed redirect URL."
        )
        parser.add_argument(
            "--scope",
            action="append",
            default=[],
            choices=[s for s in ApiKey.Scope.values if s != ApiKey.Scope.LINK],
            help="Grant the API key this scope too (it always has 'link'); repeat for more. "
            "Scopes not named are taken away from an existing key.",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even with DJANGO_DEBUG off (benchmarks). The superuser's password is "
            "published in this repository: never on a server anyone else can reach.",
        )

    @transaction.atomic
    def handle(self, *args, api_key=None, webhook_url=None, webhook_secret=None, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "seed_demo creates a superuser whose password is published, so it runs only "
                "with DJANGO_DEBUG on (or with --allow-production, for a benchmark)."
            )
        if webhook_secret and not webhook_url:
            raise CommandError("--webhook-secret needs --webhook-url.")
        team = Team.objects.filter(name="Demo", environment=Team.Environment.SANDBOX).first()
        if team is None:
            team = Team.objects.create(name="Demo", environment=Team.Environment.SANDBOX)
        if options["redirect_url"]:
            team.allowed_redirect_urls = sorted(
                set(team.allowed_redirect_urls) | set(options["redirect_url"])
            )
            team.save(update_fields=["allowed_redirect_urls"])

        scopes = [ApiKey.Scope.LINK, *options["scope"]]
        try:
            key = self._api_key(team, api_key, scopes)
        except ValueError as exc:
            raise CommandError(str(exc)) from None

        secret = None
        if webhook_url:
            secret = webhook_endpoint_upsert(
                team=team, url=webhook_url, secret=webhook_secret
            ).secret

        admin = get_user_model().objects.filter(username=DEMO_ADMIN).first()
        if admin is None:
            get_user_model().objects.create_superuser(DEMO_ADMIN, "", DEMO_ADMIN_PASSWORD)

        self.stdout.write(
            json.dumps(
                {
                    "team_id": str(team.pk),
                    "api_key": key,
                    "webhook_secret": secret,
                    "admin_username": DEMO_ADMIN,
                    "admin_password": DEMO_ADMIN_PASSWORD,
                }
            )
        )

    def _api_key(self, team: Team, key: str | None, scopes: list[str]) -> str:
        """The given key (created if new), or a new key named 'demo' replacing the old one;
        either way with exactly `scopes`. Only a hash is stored, so an existing key cannot be
        printed again."""
        if key:
            existing = ApiKey.objects.filter(key_hash=secret_hash(key)).first()
            if existing is not None:
                if existing.team_id != team.pk:
                    raise ValueError("That API key belongs to another team.")
                existing.scopes = api_key_scopes_clean(scopes)
                existing.save(update_fields=["scopes"])
                return key
            return api_key_create(team=team, name="demo", key=key, scopes=scopes)[0]
        team.api_keys.filter(name="demo").delete()
        return api_key_create(team=team, name="demo", scopes=scopes)[0]
