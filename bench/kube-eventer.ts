import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { FakeApiServer } from '../emulators/kube-apiserver/index.ts';
import { processCpuMs, processMemory } from './forwarder-process.ts';
import type { ProcessMemory } from './forwarder-process.ts';

const root = new URL('../', import.meta.url).pathname;
const PEER = 'shared/peers/kube-eventer/kube-eventer.gz';
/** The ConfigMap the seed's webhook sink reads its body template from (`custom_body_configmap`). */
const BODY_CONFIGMAP = { namespace: 'kube-system', name: 'custom-webhook-body' };
/** The seed's body template, verbatim (../shared/peers/kube-eventer/README.md). */
const SEED_BODY =
  '{"msgtype": "text","text": {"content": "Cluster:name\\nEventType:{{ .Type }}\\nEventNamespace:{{ .InvolvedObject.Namespace }}\\nEventKind:{{ .InvolvedObject.Kind }}\\nEventObject:{{ .InvolvedObject.Name }}\\nEventReason:{{ .Reason }}\\nEventTime:{{ .LastTimestamp }}\\nEventMessage:{{ .Message }}","mentioned_list":["wangqing","@all"]}}';

/** The kube-eventer binary, unpacked into a temporary directory. */
export interface KubeEventerBinary {
  path: string;
  remove(): void;
}

/**
 * Unpacks kube-eventer from `../shared/peers/` beside this checkout (for a git worktree, beside its main
 * checkout too); undefined when it is not there, and the comparison is skipped.
 */
export function unpackKubeEventer(): KubeEventerBinary | undefined {
  const archive = peerDirectories()
    .map((dir) => join(dir, PEER))
    .find((path) => existsSync(path));
  if (!archive) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'kube-eventer-'));
  const path = join(dir, 'kube-eventer');
  writeFileSync(path, gunzipSync(readFileSync(archive)), { mode: 0o755 });
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The checkout's parent, and for a worktree (`.git` is a file naming `<main>/.git/worktrees/<name>`) the main's. */
function peerDirectories(): string[] {
  const dirs = [join(root, '..')];
  const dotGit = join(root, '.git');
  // In a plain clone `.git` is a directory; only a worktree's is a file naming its main checkout.
  const gitdir = statSync(dotGit, { throwIfNoEntry: false })?.isFile()
    ? /^gitdir: (.+)$/m.exec(readFileSync(dotGit, 'utf8'))
    : null;
  if (gitdir) dirs.push(join(dirname(dirname(dirname(gitdir[1]!.trim()))), '..'));
  return dirs;
}

/** Serves the seed's body ConfigMap, which kube-eventer reads at start. */
export function serveSeedBody(fake: FakeApiServer): void {
  fake.store.create('configmaps', BODY_CONFIGMAP.namespace, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: BODY_CONFIGMAP.name, namespace: BODY_CONFIGMAP.namespace },
    data: { content: SEED_BODY },
  });
}

/**
 * kube-eventer in a process of its own, as the seed runs it: the Kubernetes source on the fake API server and the
 * webhook sink (Warnings only, the seed's body) posting to a WeCom robot. It batches every `frequency`.
 */
export class KubeEventerProcess {
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static async start(options: {
    binary: KubeEventerBinary;
    apiServerUrl: string;
    webhookUrl: string;
    frequency: string;
  }): Promise<KubeEventerProcess> {
    // The query string as the README writes it: kube-eventer splits it on `&` and `=` itself, unescaped.
    const sink = [
      options.webhookUrl,
      'level=Warning',
      'header=Content-Type=application/json',
      `custom_body_configmap=${BODY_CONFIGMAP.name}`,
      `custom_body_configmap_namespace=${BODY_CONFIGMAP.namespace}`,
      'method=POST',
    ].join('&');
    const healthzPort = await freePort();
    const child = spawn(
      options.binary.path,
      [
        `--source=kubernetes:${options.apiServerUrl}?inClusterConfig=false&useServiceAccount=false`,
        `--sink=webhook:${sink}`,
        `--frequency=${options.frequency}`,
        // Two of them may run on this machine at once (other benches); the default 8084 would collide.
        `--healthz-port=${healthzPort}`,
        '--healthz-ip=127.0.0.1',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    child.stderr!.on('data', (chunk: Buffer) => (log = (log + chunk.toString('utf8')).slice(-2000)));
    const running = new KubeEventerProcess(child);
    const deadline = Date.now() + 10_000;
    while ((await fetch(`http://127.0.0.1:${healthzPort}/healthz`).catch(() => undefined))?.status !== 200) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await running.stop();
        throw new Error(`kube-eventer did not start:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return running;
  }

  get pid(): number {
    return this.child.pid!;
  }

  cpuMs(): number {
    return processCpuMs(this.pid);
  }

  memory(): ProcessMemory {
    return processMemory(this.pid);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
