/**
 * The OCI images the sandbox's real nodes run, built by `provision-node.sh images` into
 * <cache>/images/<archive> and imported into each node's containerd with
 * `ctr -n k8s.io images import` (no registry is reachable, so nothing is ever pulled).
 * Pure: keep these in step with provision-node.sh (test/sandbox/images.test.ts checks both).
 */
import { join } from 'node:path';

/** CoreDNS module version the sandbox builds (the image tag; `coredns -version` says CoreDNS-<this>) */
export const COREDNS_VERSION = '1.13.2';

export type SandboxImageKey = 'pause' | 'shop' | 'coredns' | 'iptablesAgent';

export interface SandboxImage {
  key: SandboxImageKey;
  /** the name the image gets on import (its io.containerd.image.name annotation) */
  ref: string;
  /** file name in <cache>/images */
  archive: string;
}

/** the pod sandbox ("infra") image: containerd's CRI `sandbox_image` on every real node */
export const PAUSE_IMAGE = 'gameday.local/pause:3.10';

export const SANDBOX_IMAGES: readonly SandboxImage[] = [
  { key: 'pause', ref: PAUSE_IMAGE, archive: 'pause.tar' },
  { key: 'shop', ref: 'gameday.local/shop:1', archive: 'shop.tar' },
  { key: 'coredns', ref: `gameday.local/coredns:${COREDNS_VERSION}`, archive: 'coredns.tar' },
  // the node.iptables agent's default image, built locally under Kubernetes' own name for it
  { key: 'iptablesAgent', ref: 'registry.k8s.io/build-image/debian-iptables:bookworm-v1.0.0', archive: 'iptables-agent.tar' },
];

export function sandboxImage(key: SandboxImageKey): SandboxImage {
  const image = SANDBOX_IMAGES.find((i) => i.key === key);
  if (!image) throw new Error(`no sandbox image ${key}`);
  return image;
}

export function imageArchivePath(cache: string, key: SandboxImageKey): string {
  return join(cache, 'images', sandboxImage(key).archive);
}
