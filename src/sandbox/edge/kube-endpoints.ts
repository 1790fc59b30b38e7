/**
 * Moving a name the cluster's DNS serves: a merge patch of a headless Service's EndpointSlice over
 * plain HTTPS with the sandbox's admin certificate (no Kubernetes client library: the front-door
 * process stays small and starts fast).
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

/** Replaces the slice's endpoints with these addresses (all ready). */
export function setSliceAddresses(kube: KubeAccess, namespace: string, name: string, addresses: string[], timeoutMs = 5_000): Promise<void> {
  const body = JSON.stringify({ endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready: true } })) });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: kube.host,
        port: kube.port,
        method: 'PATCH',
        path: `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/endpointslices/${encodeURIComponent(name)}`,
        headers: { 'content-type': 'application/merge-patch+json', 'content-length': Buffer.byteLength(body) },
        ca: kube.ca,
        cert: kube.cert,
        key: kube.key,
        timeout: timeoutMs,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`EndpointSlice ${namespace}/${name}: HTTP ${res.statusCode} ${text.slice(0, 200)}`))));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`EndpointSlice ${namespace}/${name}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
