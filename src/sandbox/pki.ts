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

const exec = promisify(execFile);

export const ADMIN_USER = 'gameday-admin';

/** SANs of the serving certificate (pure). */
export function serverAltNames(serviceCidr: string = SERVICE_CIDR): string[] {
  const [base] = serviceCidr.split('/');
  const first = (base ?? '10.96.0.0').split('.').map(Number);
  first[3] = (first[3] ?? 0) + 1;
  return ['IP:127.0.0.1', 'DNS:localhost', 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local', `IP:${first.join('.')}`];
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

/** Creates the PKI in dir unless it is already complete. Returns the file paths. */
export async function ensurePki(dir: string): Promise<Pki> {
  const f = pkiFiles(dir);
  if (Object.values(f).every((x) => existsSync(x))) return f;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const days = '3650';
  writeFileSync(f.caKey, ecKey(), { mode: 0o600 });
  await openssl(['req', '-x509', '-new', '-key', f.caKey, '-subj', '/CN=gameday-sandbox-ca', '-days', days, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature', '-out', f.caCert]);
  const leaf = async (key: string, cert: string, subj: string, exts: string[]) => {
    writeFileSync(key, ecKey(), { mode: 0o600 });
    const csr = await openssl(['req', '-new', '-key', key, '-subj', subj, ...exts.flatMap((x) => ['-addext', x])]);
    const serial = `0x${randomBytes(8).toString('hex')}`;
    await openssl(['x509', '-req', '-CA', f.caCert, '-CAkey', f.caKey, '-set_serial', serial, '-days', days, '-copy_extensions', 'copyall', '-out', cert], csr);
  };
  await leaf(f.serverKey, f.serverCert, '/CN=kube-apiserver', [`subjectAltName=${serverAltNames().join(',')}`, 'extendedKeyUsage=serverAuth', 'keyUsage=critical,digitalSignature,keyEncipherment']);
  await leaf(f.adminKey, f.adminCert, `/O=system:masters/CN=${ADMIN_USER}`, ['extendedKeyUsage=clientAuth', 'keyUsage=critical,digitalSignature,keyEncipherment']);
  await leaf(f.proxyKey, f.proxyCert, '/CN=front-proxy-client', ['extendedKeyUsage=clientAuth', 'keyUsage=critical,digitalSignature,keyEncipherment']);
  const sa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(f.saKey, sa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
  writeFileSync(f.saPub, sa.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  return f;
}
