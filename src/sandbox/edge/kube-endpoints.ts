/**
 * The few Kubernetes calls the cloud stand-in makes (moving a name the cluster's DNS serves, labelling
 * or deleting a Node), over plain HTTPS with the sandbox's admin certificate: no Kubernetes client
 * library, so the front-door process stays small and starts fast.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';

export interface KubeAccess {
  host: string;
  port: number;
  ca: string;
  cert: string;
  key: string;
}

export function kubeAccess(files: { host: string; port: number; ca: string; cert: string; key: string }): KubeAccess {
  return { host: files.host, port: files.port, ca: readFileSync(files.ca, 'utf8'), cert: readFileSync(files.cert, 'utf8'), key: readFileSync(files.key, 'utf8') };
}

type CallOptions = { contentType?: string; allowNotFound?: boolean; timeoutMs?: number };

/** One call; resolves with the status (2xx, or 404 when allowNotFound), rejects with the API's words otherwise. */
export async function kubeCall(kube: KubeAccess, method: string, path: string, body?: unknown, opts: CallOptions = {}): Promise<number> {
  return (await kubeExchange(kube, method, path, body, opts)).code;
}

/** A GET's parsed body; undefined for a 404. */
export async function kubeGet(kube: KubeAccess, path: string): Promise<unknown> {
  const { code, text } = await kubeExchange(kube, 'GET', path, undefined, { allowNotFound: true });
  return code === 404 ? undefined : (JSON.parse(text) as unknown);
}

function kubeExchange(kube: KubeAccess, method: string, path: string, body: unknown, opts: CallOptions): Promise<{ code: number; text: string }> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const timeoutMs = opts.timeoutMs ?? 5_000;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: kube.host,
        port: kube.port,
        method,
        path,
        headers: text === undefined ? {} : { 'content-type': opts.contentType ?? 'application/json', 'content-length': Buffer.byteLength(text) },
        ca: kube.ca,
        cert: kube.cert,
        key: kube.key,
        timeout: timeoutMs,
      },
      (res) => {
        let out = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (out += d));
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          if ((code >= 200 && code < 300) || (code === 404 && opts.allowNotFound)) resolve({ code, text: out });
          else reject(new Error(`${method} ${path}: HTTP ${code} ${out.slice(0, 200)}`));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(text);
  });
}

/** Replaces the slice's endpoints with these addresses (all ready). */
export async function setSliceAddresses(kube: KubeAccess, namespace: string, name: string, addresses: string[]): Promise<void> {
  const body = { endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready: true } })) };
  await kubeCall(kube, 'PATCH', `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/endpointslices/${encodeURIComponent(name)}`, body, { contentType: 'application/merge-patch+json' });
}

/** Sets (string) or removes (null) one label of a Node. */
export async function setNodeLabel(kube: KubeAccess, node: string, key: string, value: string | null): Promise<void> {
  await kubeCall(kube, 'PATCH', `/api/v1/nodes/${encodeURIComponent(node)}`, { metadata: { labels: { [key]: value } } }, { contentType: 'application/merge-patch+json' });
}

export async function deleteNode(kube: KubeAccess, node: string): Promise<void> {
  await kubeCall(kube, 'DELETE', `/api/v1/nodes/${encodeURIComponent(node)}`, undefined, { allowNotFound: true });
}

/**
 * A kwok node's kubelet "stops": Ready turns Unknown, as the node-lifecycle controller writes it when
 * a kubelet stops posting (kwok keeps renewing the node's Lease, so the controller would not notice).
 */
export async function markNodeUnknown(kube: KubeAccess, node: string, why: string): Promise<void> {
  const now = new Date().toISOString();
  const condition = { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: `Kubelet stopped posting node status (${why}).`, lastHeartbeatTime: now, lastTransitionTime: now };
  await kubeCall(kube, 'PATCH', `/api/v1/nodes/${encodeURIComponent(node)}/status`, { status: { conditions: [condition] } }, { contentType: 'application/strategic-merge-patch+json' });
}

/** The status of a Node's Ready condition ('True', 'False', 'Unknown'), or undefined when it has none or is gone. */
export async function nodeReadyStatus(kube: KubeAccess, node: string): Promise<string | undefined> {
  const n = (await kubeGet(kube, `/api/v1/nodes/${encodeURIComponent(node)}`)) as { status?: { conditions?: { type: string; status: string }[] } } | undefined;
  return n?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
}
