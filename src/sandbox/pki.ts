/**
 * Credentials of the sandbox: a CA, the API server's serving certificate (127.0.0.1/localhost),
 * an admin client certificate (group system:masters, so RBAC lets it do anything; least-privilege
 * roles can still be tested by impersonation or extra users), and the service-account key pair.
 * Keys come from node:crypto; certificates are signed with the openssl CLI (node cannot sign X.509).
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { GamedayError } from '../core/errors.js';
import { pkiFiles, SERVICE_CIDR, type Pki } from './components.js';
import { VPC_GATEWAY } from './real-node/layout.js';

const exec = promisify(execFile);

export const ADMIN_USER = 'gameday-admin';

/** SANs of the serving certificate (pure). */
export function serverAltNames(serviceCidr: string = SERVICE_CIDR): string[] {
  const [base] = serviceCidr.split('/');
  const first = (base ?? '10.96.0.0').split('.').map(Number);
  first[3] = (first[3] ?? 0) + 1;
  // VPC_GATEWAY: where real nodes and their pods reach the API server (through the VPC relay)
  return ['IP:127.0.0.1', `IP:${VPC_GATEWAY}`, 'DNS:localhost', 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local', `IP:${first.join('.')}`];
}

function ecKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

async function openssl(args: string[], input?: string): Promise<string> {
  try {
    const child = exec('openssl', args, { encoding: 'utf8' });
    if (input !== undefined) {
      child.child.stdin?.end(input);
    }
    return (await child).stdout;
  } catch (e) {
    throw new GamedayError('BACKEND_FAILED', `openssl ${args[0]} failed: ${(e as { stderr?: string }).stderr?.trim() || (e as Error).message}`, {
      hint: 'the sandbox needs the openssl CLI (apt-get install openssl)',
      cause: e,
    });
  }
}

/** Signs a new key pair's certificate with the sandbox CA (subject like `/O=system:nodes/CN=…`). */
export async function issueCertificate(ca: Pick<Pki, 'caCert' | 'caKey'>, leaf: { key: string; cert: string; subject: string; extensions: string[] }): Promise<void> {
  writeFileSync(leaf.key, ecKey(), { mode: 0o600 });
  const csr = await openssl(['req', '-new', '-key', leaf.key, '-subj', leaf.subject, ...leaf.extensions.flatMap((x) => ['-addext', x])]);
  const serial = `0x${randomBytes(8).toString('hex')}`;
  await openssl(['x509', '-req', '-CA', ca.caCert, '-CAkey', ca.caKey, '-set_serial', serial, '-days', '3650', '-copy_extensions', 'copyall', '-out', leaf.cert], csr);
}

export const CLIENT_CERT_EXTENSIONS = ['extendedKeyUsage=clientAuth', 'keyUsage=critical,digitalSignature,keyEncipherment'];
export const SERVER_CERT_EXTENSIONS = ['extendedKeyUsage=serverAuth', 'keyUsage=critical,digitalSignature,keyEncipherment'];

/** Creates the PKI in dir unless it is already complete. Returns the file paths. */
export async function ensurePki(dir: string): Promise<Pki> {
  const f = pkiFiles(dir);
  if (Object.values(f).every((x) => existsSync(x))) return f;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const days = '3650';
  writeFileSync(f.caKey, ecKey(), { mode: 0o600 });
  await openssl(['req', '-x509', '-new', '-key', f.caKey, '-subj', '/CN=gameday-sandbox-ca', '-days', days, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature', '-out', f.caCert]);
  const leaf = (key: string, cert: string, subj: string, exts: string[]) => issueCertificate(f, { key, cert, subject: subj, extensions: exts });
  await leaf(f.serverKey, f.serverCert, '/CN=kube-apiserver', [`subjectAltName=${serverAltNames().join(',')}`, 'extendedKeyUsage=serverAuth', 'keyUsage=critical,digitalSignature,keyEncipherment']);
  await leaf(f.adminKey, f.adminCert, `/O=system:masters/CN=${ADMIN_USER}`, ['extendedKeyUsage=clientAuth', 'keyUsage=critical,digitalSignature,keyEncipherment']);
  await leaf(f.proxyKey, f.proxyCert, '/CN=front-proxy-client', ['extendedKeyUsage=clientAuth', 'keyUsage=critical,digitalSignature,keyEncipherment']);
  const sa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(f.saKey, sa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
  writeFileSync(f.saPub, sa.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  return f;
}
