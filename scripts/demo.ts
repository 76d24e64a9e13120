// `npm run demo`: the simulated edge box and the daemon wired to it — the web process here, the
// privileged agent as its child process on $OUTPOST_HOME/agent.sock. Honours OUTPOST_PORT,
// OUTPOST_HOME (default ./.outpost-demo) and the other OUTPOST_* settings; Ctrl-C stops all.
import path from 'node:path';
import { writeDemoBundleKit } from './demo-bundles.ts';
import { startDemo } from './demo-setup.ts';

const home = path.resolve(process.env.OUTPOST_HOME ?? '.outpost-demo');
// The demo's own kubeconfig wins over any OUTPOST_KUBECONFIG of the shell.
const kit = await writeDemoBundleKit(home);
const demo = await startDemo({ home, containerd: 'auto', agent: 'child', env: { ...process.env, OUTPOST_KUBECONFIG: undefined, OUTPOST_HOME: home, OUTPOST_LOG_LEVEL: process.env.OUTPOST_LOG_LEVEL ?? 'warn' } });

process.stdout.write(`
Outpost demo — a simulated edge box (plant line: broker, ingest, historian, node agent)

  LocalUI     ${demo.daemon.url}
  login       ${demo.username} / ${demo.password}   (admin; a new password each run)
  kiosk       ${demo.daemon.kioskUrl ? `${demo.daemon.kioskUrl}kiosk` : 'off'}
  kubectl     kubectl --kubeconfig ${demo.kubeconfig} get pods -A
  state       ${home}

One workload crash-loops (ingest/opcua-bridge), one misses its image (historian/report-exporter).

Upgrades (docs/upgrades.md, "Walkthrough"): bundle sources for plant-dashboard 1.0.0, 1.1.0 and a
crash-looping 1.2.0 are in ${kit.dir}; their signing key is trusted by this device.
  npm run outpost -- bundle build --from ${kit.sources[0]?.dir} --key ${kit.keyPath} --out /tmp/dashboard-1.0.0.outpost
  OUTPOST_HOME=${home} npm run outpost -- upgrade apply /tmp/dashboard-1.0.0.outpost
  ${demo.containerd ? `containerd: ${demo.containerd}` : 'no containerd here (needs root and the containerd package): every plan is blocked by containerd_unreachable'}
Ctrl-C stops the daemon and the simulated cluster.
`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nstopping…\n');
  const force = setTimeout(() => process.exit(1), 8000);
  force.unref();
  void demo.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
