"""One folder per vendor, named by its Vital slug; adding a vendor means adding a folder:

- `adapter.py`: one Adapter subclass (OAuth2Adapter, PasswordAdapter, EmailAdapter, ...) that
  speaks the vendor's protocol to its real hosts and carries its catalogue facts (name, status,
  docs URL, sources, checked-on date, resources, regions, whether it needs an app);
- `emulator.py`: one Emulator (providers.sandbox.base) that answers like the vendor's hosts, for
  sandbox teams and tests; sandbox accounts and faults live here, never in the adapter;
- `data.py` (vendors whose data Link pulls): one VendorData (providers.data) that reads the
  vendor's data API a page at a time into Vital's records, and its push notifications if any;
- `logo.svg`: served as the static file providers/<slug>.svg;
- `__init__.py`: empty.

providers.registry finds the folders; tests/providers/test_vendors.py checks each is complete."""
