// The calls of the original Link docs, made with npm @tryvital/vital-node 1.x (found through
// NODE_PATH), against Link at $LINK_URL with the team's client id and secret. The SDK is not
// edited: the hosts in its config module, which it has instead of a base-URL option, are
// pointed at Link first, as README "Clients" tells a self-hoster to. Prints what the calls
// answered, as JSON.
const config = require("@tryvital/vital-node/dist/lib/config").default;

const link = new URL(process.env.LINK_URL);
config.baseUrls.sandbox = link.origin;
config.domains.sandbox = link.host;

const { VitalClient } = require("@tryvital/vital-node");

function newClient() {
  return new VitalClient({
    client_id: process.env.VITAL_CLIENT_ID,
    client_secret: process.env.VITAL_CLIENT_SECRET,
    environment: "sandbox",
  });
}

async function refused(call) {
  try {
    await call();
    return null;
  } catch (error) {
    if (!error.response) throw error;
    return { status: error.response.status, error_type: error.response.data.detail.error_type };
  }
}

const steps = {
  async link(clientUserId) {
    const client = newClient();
    const user = await client.User.create(clientUserId);
    const token = await client.Link.create(user.user_id, "oura");
    const wrong = await refused(() =>
      client.Link.connectProvider(token.link_token, "zwift", "user_good", "no"),
    );
    const resp = await client.Link.connectProvider(token.link_token, "zwift", "user_good", "pass_good");
    const oauthToken = await client.Link.create(user.user_id, "google_health");
    return {
      user,
      resolved: await client.User.resolve(clientUserId),
      token,
      wrong_password: wrong,
      password: resp,
      oauth: await client.Link.getOAuthLink(oauthToken.link_token, "google_health"),
    };
  },
  async manage(userId) {
    const client = newClient();
    const token = await client.Link.create(userId);
    return {
      providers: await client.User.providers(userId),
      user: await client.User.get(userId),
      users: await client.User.getAll(),
      email: await client.Link.connectEmailProvider(
        token.link_token,
        "freestyle_libre",
        "reader@example.com",
      ),
      deregistered: await client.User.deregisterProvider(userId, "zwift"),
      refreshed: await client.User.refresh(userId),
      deleted: await client.User.delete(userId),
    };
  },
};

const [step, argument] = process.argv.slice(2);
steps[step](argument).then(
  (answer) => console.log(JSON.stringify(answer)),
  (error) => {
    console.error(error.response ? [error.response.status, error.response.data] : error);
    process.exit(1);
  },
);
