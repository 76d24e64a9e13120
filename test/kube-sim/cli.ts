// npm run sim -- --port N --kubeconfig-out FILE [--fixtures DIR]... [--images FILE]
//                [--token-kubeconfig NS/SA=FILE]... [--containerd-socket PATH] [--tick-ms N]
//                [--fast] [--tls] [--log-requests]
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { startKubeSim } from './index.ts';

const HELP = `kube-sim: a simulated single-node Kubernetes API server (see test/kube-sim/README.md)

  --port N                  port on 127.0.0.1 (0 picks a free one; default 0)
  --kubeconfig-out FILE     where to write the admin kubeconfig (system:masters; required)
  --fixtures DIR            YAML folder to load at start (repeatable, loaded in order;
                            e.g. test/kube-sim/fixtures/demo and scripts/k8s)
  --token-kubeconfig NS/SA=FILE
                            also write a kubeconfig with a token for ServiceAccount NS/SA
                            (it must exist after the fixtures load); RBAC applies to it.
                            Repeatable. The token lasts a year.
  --images FILE             image references present on the node, one per line
  --containerd-socket PATH  also count images of a real containerd (ctr, namespace k8s.io)
  --tick-ms N               controller loop period (default 250)
  --log-requests            print one line per request (method, path, status, duration)
  --tls                     serve HTTPS with a throwaway self-signed certificate (openssl)
  --fast                    short readiness, crash and back-off delays (for demos and tests)
`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', default: '0' },
        'kubeconfig-out': { type: 'string' },
        fixtures: { type: 'string', multiple: true },
        'token-kubeconfig': { type: 'string', multiple: true },
        images: { type: 'string' },
        'containerd-socket': { type: 'string' },
        'tick-ms': { type: 'string' },
        fast: { type: 'boolean', default: false },
        tls: { type: 'boolean', default: false },
        'log-requests': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`kube-sim: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error('kube-sim: --port must be an integer from 0 to 65535');
    return 2;
  }
  if (!values['kubeconfig-out']) {
    console.error(`kube-sim: --kubeconfig-out FILE is required\n\n${HELP}`);
    return 2;
  }
  let sim;
  try {
    sim = await startKubeSim({
      port,
      ...(values.fixtures ? { fixturesDir: values.fixtures.map((d) => resolve(d)) } : {}),
      ...(values.images ? { imagesFile: resolve(values.images) } : {}),
      ...(values['containerd-socket'] ? { containerdSocket: values['containerd-socket'] } : {}),
      ...(values['tick-ms'] ? { tickMs: Number(values['tick-ms']) } : {}),
      ...(values.tls ? { tls: true } : {}),
      ...(values['log-requests'] ? { logRequests: (line: string) => console.log(`kube-sim: ${line}`) } : {}),
      ...(values.fast ? { timing: { readyAfterMs: 300, runMs: 1500, backoffBaseMs: 2000, backoffMaxMs: 20_000, terminationMs: 300 } } : {}),
    });
  } catch (error) {
    console.error(`kube-sim: cannot start: ${(error as Error).message}`);
    return 1;
  }
  const file = await sim.writeKubeconfig(resolve(values['kubeconfig-out']));
  console.log(`kube-sim listening on ${sim.url}`);
  console.log(`kubeconfig written to ${file}`);
  for (const spec of values['token-kubeconfig'] ?? []) {
    const m = /^([^/=]+\/[^/=]+)=(.+)$/.exec(spec);
    try {
      if (!m?.[1] || !m[2]) throw new Error(`--token-kubeconfig wants NS/SA=FILE, got "${spec}"`);
      const out = await sim.writeKubeconfig(resolve(m[2]), { serviceAccount: m[1], expirationSeconds: 365 * 24 * 3600 });
      console.log(`kubeconfig for serviceaccount ${m[1]} written to ${out}`);
    } catch (error) {
      console.error(`kube-sim: ${(error as Error).message}`);
      await sim.stop();
      return 2;
    }
  }
  console.log(`try: kubectl --kubeconfig ${file} get pods -A`);
  await new Promise<void>((done) => {
    const stop = (signal: string): void => {
      console.log(`kube-sim: ${signal}, stopping`);
      void sim.stop().then(done);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}

process.exitCode = await main();
