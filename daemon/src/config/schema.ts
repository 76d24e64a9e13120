// The one configuration schema. Every setting has a default that suits `npm start` from a checkout.
import { z } from 'zod';

const port = z.number().int().min(0).max(65535);

/** A warning and a critical level; warning must not exceed critical. */
const band = (warning: number, critical: number, max: number) =>
  z
    .object({ warning: z.number().min(0).max(max).default(warning), critical: z.number().min(0).max(max).default(critical) })
    .strict()
    .prefault({})
    .refine((b) => b.warning <= b.critical, { error: 'warning must not be above critical' });

const healthSchema = z
  .object({
    /** Defaults in docs/health.md; percentages are 0-100, temperatures °C. */
    thresholds: z
      .object({
        filesystemPct: band(85, 95, 100),
        inodesPct: band(85, 95, 100),
        memoryPct: band(90, 97, 100),
        swapPct: band(80, 95, 100),
        cpuPct: band(90, 98, 100),
        temperatureC: band(80, 95, 200),
        clockUnsynchronised: z.enum(['ok', 'warning', 'critical']).default('warning'),
      })
      .strict()
      .prefault({}),
    fastMs: z.number().int().min(50).max(60_000).default(1000),
    mediumMs: z.number().int().min(1000).max(600_000).default(10_000),
    slowMs: z.number().int().min(5000).max(3_600_000).default(60_000),
  })
  .strict()
  .prefault({});

export const configSchema = z
  .object({
    /** Holds all state: SQLite, staging, TLS material. Relative paths resolve against the working directory. */
    home: z.string().min(1).default('./.outpost'),
    listen: z
      .object({
        address: z.union([z.ipv4(), z.ipv6()], { error: 'expected an IPv4 or IPv6 address' }).default('127.0.0.1'),
        port: port.default(7480),
      })
      .strict()
      .prefault({}),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .prefault({}),
    feed: z
      .object({
        heartbeatMs: z.number().int().min(1000).max(300_000).default(15_000),
        maxMessageBytes: z.number().int().min(1024).max(1 << 20).default(64 * 1024),
        /** Bytes queued for one client past which its events are dropped until it drains. */
        sendBufferBytes: z.number().int().min(16 * 1024).max(64 << 20).default(256 * 1024),
        /** Events kept per topic so a reconnecting client can resume without a snapshot. */
        replayEvents: z.number().int().min(0).max(100_000).default(512),
        maxSubscriptions: z.number().int().min(1).max(1000).default(32),
        /** Frames one client may send a second on average, and at once; past them its socket is closed (1008). */
        clientFramesPerSecond: z.number().min(1).max(1_000_000).default(20),
        clientFrameBurst: z.number().int().min(10).max(1_000_000).default(120),
        systemIntervalMs: z.number().int().min(50).max(60_000).default(1000),
      })
      .strict()
      .prefault({}),
    kiosk: z
      .object({
        /** The appliance screen's read-only listener; always plain HTTP on 127.0.0.1. */
        enabled: z.boolean().default(true),
        port: port.default(7481),
      })
      .strict()
      .prefault({}),
    tls: z
      .object({
        /** auto: HTTPS on any non-loopback listener. off: plain HTTP everywhere (the UI warns). */
        mode: z.enum(['auto', 'off']).default('auto'),
        certFile: z.string().min(1).optional(),
        keyFile: z.string().min(1).optional(),
      })
      .strict()
      .refine((t) => (t.certFile === undefined) === (t.keyFile === undefined), { error: 'certFile and keyFile go together' })
      .prefault({}),
    /** Host names accepted in the Host header besides localhost, the hostname and the device's addresses. */
    allowedHosts: z.array(z.string().min(1).max(253)).max(64).default([]),
    session: z
      .object({
        idleMinutes: z.number().min(0.01).max(24 * 60).default(15),
        absoluteHours: z.number().min(0.001).max(24 * 30).default(12),
        /** How often live sockets are checked against their session. */
        checkIntervalMs: z.number().int().min(100).max(60_000).default(5000),
      })
      .strict()
      .prefault({}),
    limits: z
      .object({
        connectionsPerAddress: z.number().int().min(1).max(10_000).default(64),
        jsonBodyBytes: z.number().int().min(1024).max(1 << 20).default(64 * 1024),
      })
      .strict()
      .prefault({}),
    cluster: z
      .object({
        /** A kubeconfig file, or `none` for no cluster; when unset: KUBECONFIG, in-cluster, k3s, RKE2, ~/.kube/config (docs/cluster.md). */
        kubeconfig: z.string().min(1).optional(),
        /** How long a restart's rollout may take before it is reported as failed. */
        rolloutTimeoutSeconds: z.number().int().min(5).max(3600).default(300),
        /** How long a workload must stay ready with no container (re)starting to count as settled healthy (docs/status.md). */
        stabilitySeconds: z.number().min(0).max(3600).default(30),
      })
      .strict()
      .prefault({}),
    containerd: z
      .object({
        /** The containerd socket; unset: k3s's if present, else /run/containerd/containerd.sock (docs/upgrades.md). */
        address: z.string().min(1).optional(),
        /** The CRI namespace images are imported into. */
        namespace: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,75}$/, { error: 'not a containerd namespace' }).default('k8s.io'),
        ctr: z.string().min(1).default('ctr'),
        /** containerd's root, for the disk check; unset: k3s's if present, else /var/lib/containerd. */
        root: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    upgrade: z
      .object({
        /** Trusted signing keys; unset: <home>/trust (a device sets /etc/outpost/trust). */
        trustDir: z.string().min(1).optional(),
        stabilitySeconds: z.number().min(0).max(3600).default(30),
        timeoutSeconds: z.number().min(1).max(6 * 3600).default(300),
        pollMs: z.number().int().min(50).max(60_000).default(1000),
        failingGraceSeconds: z.number().min(0).max(600).default(10),
        diskReservePercent: z.number().min(0).max(90).default(20),
        maxOffered: z.number().int().min(1).max(256).default(16),
      })
      .strict()
      .prefault({}),
    /** The privileged agent and the web's way to it (docs/architecture.md, docs/security.md). */
    agent: z
      .object({
        /** in-process: the agent's parts run in the web process (tests); child: `serve --with-agent`; socket: systemd runs it. */
        mode: z.enum(['in-process', 'child', 'socket']).default('in-process'),
        /** Its unix socket; unset: <home>/agent.sock (a device: /run/outpost/agent.sock). */
        socket: z.string().min(1).optional(),
        /** The group (besides the owner) allowed to connect; the socket must be 0600, or 0660 with this group. */
        socketGroup: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, { error: 'not a group name' }).default('outpost'),
        /** The agent's write identity; unset: cluster.kubeconfig, then discovery (docs/cluster.md). */
        kubeconfig: z.string().min(1).optional(),
        /** A socket-activated agent exits after this long with nothing to do (0: never). */
        idleExitSeconds: z.number().min(0).max(86_400).default(60),
      })
      .strict()
      .prefault({}),
    uploads: z
      .object({
        /** Largest bundle a browser may upload (docs/uploads-and-usb.md). */
        maxBytes: z.number().int().min(1 << 20).max(2 ** 46).default(32 * 1024 ** 3),
        /** Uploads in progress at once. */
        maxConcurrent: z.number().int().min(1).max(16).default(2),
        /** An upload PATCH whose connection sends nothing for this long is closed (the next PATCH resumes). */
        idleTimeoutSeconds: z.number().min(0.1).max(3600).default(60),
        /** An incomplete upload is deleted this long after it was created. */
        expireHours: z.number().min(0.001).max(24 * 30).default(24),
        /** The web process's spool; unset: <home>/uploads. */
        spoolDir: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    usb: z
      .object({
        /** auto: apply a signed, newer bundle with a clean plan; confirm: offer it only; off: ignore sticks. */
        policy: z.enum(['auto', 'confirm', 'off']).default('auto'),
        /** Where `outpost usb attach` mounts sticks (DIR/<device name>); unset: /run/outpost/usb. */
        mountRoot: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    ui: z
      .object({ dist: z.string().min(1).optional() })
      .strict()
      .prefault({}),
    health: healthSchema,
    /** The device verdict's grace periods (docs/status.md). */
    status: z
      .object({
        /** A lost cluster connection is a warning for this long, then critical; a partial one is nothing for this long, then a warning. */
        clusterGraceSeconds: z.number().min(1).max(3600).default(60),
        /** After the daemon starts, an API server that never answered is critical only after this long (k3s boots with the device). */
        clusterBootGraceSeconds: z.number().min(1).max(7200).default(300),
      })
      .strict()
      .refine((s) => s.clusterGraceSeconds <= s.clusterBootGraceSeconds, { error: 'clusterGraceSeconds must not be above clusterBootGraceSeconds' })
      .prefault({}),
    metrics: z
      .object({
        /** Lets a Prometheus scrape /metrics with `Authorization: Bearer <token>` and no session. */
        scrapeToken: z.string().min(16, { error: 'a scrape token needs at least 16 characters' }).optional(),
      })
      .strict()
      .prefault({}),
    audit: z
      .object({
        /** Repeated refusals and anonymous failed logins are counted into one record per key and window. */
        aggregateSeconds: z.number().min(0.05).max(3600).default(60),
        /** The audit log's size cap: past it the oldest records go, and an anchor record says which. */
        maxBytes: z.number().int().min(64 * 1024).max(16 * 1024 ** 3).default(64 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
    support: z
      .object({
        /** The support bundle's size cap in bytes: the tar and the .tar.gz stay under it (docs/support-bundle.md). */
        maxBytes: z.number().int().min(1 << 20).max(1 << 30).default(50 << 20),
      })
      .strict()
      .prefault({}),
    shutdownTimeoutMs: z.number().int().min(100).max(60_000).default(5000),
  })
  .strict();

export type ConfigInput = z.input<typeof configSchema>;
export type ConfigShape = z.output<typeof configSchema>;
