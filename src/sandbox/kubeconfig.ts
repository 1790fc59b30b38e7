/** Renders the sandbox's kubeconfig (pure). Written beside the user's, never over ~/.kube/config. */
import { stringify } from 'yaml';

export const SANDBOX_CONTEXT = 'gameday-sandbox';

export interface KubeconfigInput {
  server: string;
  caPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  /** context, cluster and user name (default gameday-sandbox) */
  name?: string;
  user?: string;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

export function renderKubeconfig(input: KubeconfigInput): string {
  const name = input.name ?? SANDBOX_CONTEXT;
  const user = input.user ?? `${name}-admin`;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name, cluster: { server: input.server, 'certificate-authority-data': b64(input.caPem) } }],
    users: [{ name: user, user: { 'client-certificate-data': b64(input.clientCertPem), 'client-key-data': b64(input.clientKeyPem) } }],
    contexts: [{ name, context: { cluster: name, user } }],
    'current-context': name,
  };
  return stringify(doc);
}
