"""polar-flow-api's OAuth steps against Polar: `authorize` prints the URL it builds; `exchange
<code>` trades the code (HTTP Basic) for a token naming the user, then registers the user with
AccessLink and deregisters them."""

import asyncio
import json
import sys

from polar_flow import PolarFlow
from polar_flow.auth import OAuth2Handler

step, client_id, client_secret, *code = sys.argv[1:]
oauth = OAuth2Handler(client_id, client_secret, redirect_uri="https://app.example/polar/callback")


async def exchange(code: str) -> dict:
    token = await oauth.exchange_code(code)
    async with PolarFlow(access_token=token.access_token) as polar:
        user = await polar.users.register(member_id="witness-member")
        await polar.users.delete(token.user_id)
    return {"user_id": token.user_id, "registered": user.polar_user_id, "member": user.member_id}


if step == "authorize":
    print(json.dumps({"authorize_url": oauth.get_authorization_url(state="witness")}))
else:
    print(json.dumps(asyncio.run(exchange(code[0]))))
