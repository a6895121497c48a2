from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from teams.crypto import EncryptedJSONField


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret under the newest key in LINK_ENCRYPTION_KEYS. Run it "
        "after putting a new key first; the old key can be removed once it has finished."
    )

    def handle(self, *args, **options):
        total = 0
        for model in apps.get_models():
            fields = [f.name for f in model._meta.fields if isinstance(f, EncryptedJSONField)]
            if fields:
                total += self._reencrypt(model, fields)
        self.stdout.write(f"{total} rows re-encrypted under the newest key")

    def _reencrypt(self, model, fields: list[str]) -> int:
        """Saving a decrypted value encrypts it again with the first (newest) key."""
        count = 0
        for pk in model._base_manager.values_list("pk", flat=True).iterator(chunk_size=500):
            with transaction.atomic():
                obj = model._base_manager.select_for_update().only("pk", *fields).get(pk=pk)
                obj.save(update_fields=fields)
            count += 1
        return count
