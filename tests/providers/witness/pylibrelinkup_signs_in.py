"""pylibrelinkup signs in to LibreLinkUp (validating the whole login answer), lists the linked
patients, and is refused a wrong password."""

import json
import sys

from pylibrelinkup import PyLibreLinkUp
from pylibrelinkup.exceptions import AuthenticationError

email, password = sys.argv[1:]
client = PyLibreLinkUp(email=email, password=password)
client.authenticate()
patients = [
    {"patient_id": str(p.patient_id), "name": f"{p.first_name} {p.last_name}"}
    for p in client.get_patients()
]
try:
    PyLibreLinkUp(email=email, password="wrong").authenticate()
    refused = None
except AuthenticationError as error:
    refused = str(error)
print(json.dumps({"patients": patients, "refused": refused}))
