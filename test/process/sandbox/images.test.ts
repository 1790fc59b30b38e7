/**
 * The node images built by `provision-node.sh images` (it must have run: provision.sh calls it).
 * Real tools, no mocks: each archive is unpacked with tar and checked as an OCI image layout —
 * index.json → manifest → config and layer, every digest and size matching its blob — and its layer
 * lists the files the image promises. Nothing is built here; a missing archive fails the test with
 * the command that makes it.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { cacheDir } from '../../../src/adapters/cache-dir.js';
import { DEFAULT_AGENT_IMAGE } from '../../../src/injectors/node-iptables/manifest.js';
import { COREDNS_VERSION, imageArchivePath, PAUSE_IMAGE, SANDBOX_IMAGES, type SandboxImage, type SandboxImageKey } from '../../../src/sandbox/images.js';

const cache = cacheDir();
const provisionHint = 'run `bash src/sandbox/provision-node.sh images` first';
const work = mkdtempSync(join(tmpdir(), 'gameday-images-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Descriptor { mediaType: string; digest: string; size: number; annotations?: Record<string, string>; platform?: { os: string; architecture: string } }

function sha256(buf: Buffer): string {
  return `sha256:${createHash('sha256').update(buf).digest('hex')}`;
}

/** unpacks the archive and follows index.json to the manifest, config and layer, checking every blob */
function openLayout(key: SandboxImageKey) {
  const archive = imageArchivePath(cache, key);
  if (!existsSync(archive)) throw new Error(`${archive} is missing: ${provisionHint}`);
  const dir = join(work, key);
  execFileSync('mkdir', ['-p', dir]);
  execFileSync('tar', ['-xf', archive, '-C', dir]);
  const blob = (d: Descriptor): Buffer => {
    const buf = readFileSync(join(dir, 'blobs', ...d.digest.split(':')));
    expect(sha256(buf), `blob ${d.digest}`).toBe(d.digest);
    expect(buf.length, `size of ${d.digest}`).toBe(d.size);
    return buf;
  };
  expect(JSON.parse(readFileSync(join(dir, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  expect(index.schemaVersion).toBe(2);
  expect(index.manifests).toHaveLength(1);
  const desc: Descriptor = index.manifests[0];
  expect(desc.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
  expect(desc.platform).toEqual({ os: 'linux', architecture: 'amd64' });
  const manifest = JSON.parse(blob(desc).toString());
  expect(manifest.config.mediaType).toBe('application/vnd.oci.image.config.v1+json');
  const config = JSON.parse(blob(manifest.config).toString());
  expect(manifest.layers).toHaveLength(1);
  const layer: Descriptor = manifest.layers[0];
  expect(layer.mediaType).toBe('application/vnd.oci.image.layer.v1.tar');
  blob(layer);
  // uncompressed layer: its digest is its diff_id
  expect(config.rootfs).toEqual({ type: 'layers', diff_ids: [layer.digest] });
  const layerPath = join(dir, 'blobs', ...layer.digest.split(':'));
  // `tar -tvf` lines: "<mode> <owner> <size> <date> <time> <name>[ -> <target>]"
  const entries = new Map<string, { mode: string; link?: string }>();
  for (const line of execFileSync('tar', ['-tvf', layerPath], { encoding: 'utf8', maxBuffer: 16 << 20 }).split('\n')) {
    const m = /^(\S+)\s+\S+\s+\d+\s+\S+\s+\S+\s+(.+?)(?: -> (.+))?$/.exec(line);
    if (m?.[1] && m[2]) entries.set(m[2].replace(/\/$/, ''), { mode: m[1], link: m[3] });
  }
  return { desc, manifest, config, entries, layerPath };
}

describe('SANDBOX_IMAGES', () => {
  const script = readFileSync(new URL('../../../src/sandbox/provision-node.sh', import.meta.url), 'utf8');
  const shVar = (name: string) => new RegExp(`^${name}="([^"]+)"`, 'm').exec(script)?.[1];

  test('matches what provision-node.sh builds and the node.iptables agent uses', () => {
    const byKey = Object.fromEntries(SANDBOX_IMAGES.map((i) => [i.key, i])) as Record<SandboxImageKey, SandboxImage>;
    expect(Object.keys(byKey).sort()).toEqual(['coredns', 'iptablesAgent', 'pause', 'shop']);
    expect(shVar('PAUSE_REF')).toBe(PAUSE_IMAGE);
    expect(byKey.pause.ref).toBe(PAUSE_IMAGE);
    expect(shVar('SHOP_REF')).toBe(byKey.shop.ref);
    expect(shVar('AGENT_REF')).toBe(byKey.iptablesAgent.ref);
    expect(byKey.iptablesAgent.ref).toBe(DEFAULT_AGENT_IMAGE);
    expect(script).toMatch(new RegExp(`^COREDNS_VERSION="\\$\\{GAMEDAY_COREDNS_VERSION:-v${COREDNS_VERSION.replace(/\./g, '\\.')}\\}"`, 'm'));
    expect(byKey.coredns.ref).toBe(`gameday.local/coredns:${COREDNS_VERSION}`);
    expect(imageArchivePath('/c', 'iptablesAgent')).toBe('/c/images/iptables-agent.tar');
    // IMAGE_NAMES in the script are the archives' base names
    const names = /^IMAGE_NAMES=\(([^)]*)\)/m.exec(script)?.[1]?.split(/\s+/) ?? [];
    expect(names.map((n) => `${n}.tar`).sort()).toEqual(SANDBOX_IMAGES.map((i) => i.archive).sort());
  });
});

describe('image archives (after provision-node.sh images)', () => {
  test.each(SANDBOX_IMAGES.map((i) => [i.key, i] as const))('%s: a valid OCI layout named for ctr import', (_key, image) => {
    const { desc } = openLayout(image.key);
    // ctr 1.6 `images import` names the image from this annotation
    expect(desc.annotations?.['io.containerd.image.name']).toBe(image.ref);
    expect(desc.annotations?.['org.opencontainers.image.ref.name']).toBe(image.ref.split(':').pop());
  });

  test('manifest.json lists every archive with its manifest digest', () => {
    const file = join(cache, 'images', 'manifest.json');
    if (!existsSync(file)) throw new Error(`${file} is missing: ${provisionHint}`);
    const listed = JSON.parse(readFileSync(file, 'utf8')) as { ref: string; archive: string; digest: string }[];
    expect(listed.map((e) => e.ref).sort()).toEqual(SANDBOX_IMAGES.map((i) => i.ref).sort());
    for (const image of SANDBOX_IMAGES) {
      const entry = listed.find((e) => e.ref === image.ref)!;
      expect(entry.archive).toBe(imageArchivePath(cache, image.key));
      expect(entry.digest).toBe(openLayout(image.key).desc.digest);
    }
  });

  test('pause: /pause, entrypoint /pause, user 65535', () => {
    const { config, entries } = openLayout('pause');
    expect(config.config.Entrypoint).toEqual(['/pause']);
    expect(config.config.User).toBe('65535:65535');
    expect(entries.get('pause')?.mode).toBe('-rwxr-xr-x');
  });

  test('shop: /shop and busybox with its applets, entrypoint /shop', () => {
    const { config, entries } = openLayout('shop');
    expect(config.config.Entrypoint).toEqual(['/shop']);
    expect(config.config.Env).toContainEqual(expect.stringMatching(/^PATH=.*\/bin/));
    expect(entries.get('shop')?.mode).toBe('-rwxr-xr-x');
    expect(entries.get('bin/busybox')?.mode).toBe('-rwxr-xr-x');
    for (const applet of ['sh', 'nslookup', 'wget', 'nc', 'ping', 'ls', 'cat', 'ps', 'env', 'sleep', 'ip', 'netstat', 'top']) {
      expect(entries.get(`bin/${applet}`)?.link, applet).toBe('busybox');
    }
    expect(entries.get('tmp')?.mode).toBe('drwxrwxrwt');
  });

  test('coredns: /coredns, entrypoint /coredns', () => {
    const { config, entries } = openLayout('coredns');
    expect(config.config.Entrypoint).toEqual(['/coredns']);
    expect(entries.get('coredns')?.mode).toBe('-rwxr-xr-x');
  });

  test('iptables agent: /bin/sh, the shell tools agent.sh uses, iptables nft and legacy with libraries and extensions', () => {
    const { config, entries } = openLayout('iptablesAgent');
    expect(config.config.Cmd).toEqual(['/bin/sh']);
    // merged /usr, like Debian: /bin/sh is usr/bin/sh
    expect(entries.get('bin')?.link).toBe('usr/bin');
    expect(entries.get('lib64')?.link).toBe('usr/lib64');
    for (const tool of ['sh', 'date', 'grep', 'sed', 'tr', 'head', 'sleep', 'cat', 'rm', 'timeout']) {
      expect(entries.get(`usr/bin/${tool}`)?.link, tool).toBe('busybox');
    }
    for (const b of ['xtables-nft-multi', 'xtables-legacy-multi']) expect(entries.get(`usr/sbin/${b}`)?.mode).toBe('-rwxr-xr-x');
    for (const flavour of ['nft', 'legacy']) {
      for (const base of ['iptables', 'ip6tables']) {
        for (const suffix of ['', '-save', '-restore']) {
          const name = `${base}-${flavour}${suffix}`;
          expect(entries.get(`usr/sbin/${name}`)?.link, name).toBe(`xtables-${flavour}-multi`);
        }
      }
    }
    expect(entries.get('usr/sbin/iptables')?.link).toBe('iptables-nft');
    for (const lib of ['libxtables.so.12', 'libip4tc.so.2', 'libip6tc.so.2', 'libnftnl.so.11', 'libmnl.so.0', 'libc.so.6', 'libnetfilter_conntrack.so.3']) {
      expect(entries.has(`usr/lib/x86_64-linux-gnu/${lib}`), lib).toBe(true);
    }
    expect(entries.has('usr/lib64/ld-linux-x86-64.so.2')).toBe(true);
    for (const ext of ['libxt_comment.so', 'libxt_statistic.so', 'libxt_conntrack.so', 'libipt_REJECT.so', 'libxt_tcp.so', 'libxt_standard.so']) {
      expect(entries.has(`usr/lib/x86_64-linux-gnu/xtables/${ext}`), ext).toBe(true);
    }
    expect(entries.get('tmp')?.mode).toBe('drwxrwxrwt');
  });
});
