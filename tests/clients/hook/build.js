// The customer's esbuild build of app.jsx, with the one setting README "Clients" gives a
// self-hoster: the replace plugin that makes the hook load Link's /initialize.js instead of
// Vital's. Usage: node build.js <Link's origin> <outfile>, with this folder's node_modules on
// NODE_PATH.
const esbuild = require("esbuild");
const { replace } = require("esbuild-plugin-replace");

const [link, outfile] = process.argv.slice(2);

esbuild
  .build({
    entryPoints: [`${__dirname}/app.jsx`],
    bundle: true,
    outfile,
    nodePaths: process.env.NODE_PATH.split(":"),
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "error",
    plugins: [
      replace({
        include: /@tryvital[\\/]vital-link/,
        "https://link.tryvital.io/initialize.js": `${link}/initialize.js`,
      }),
    ],
  })
  .catch(() => process.exit(1));
