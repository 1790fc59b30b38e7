// TEMPORARY stub of the node-artifacts contract (replaced by the node-artifacts branch on merge)
import { join } from 'node:path';
export const COREDNS_VERSION = '1.12.4';
export const PAUSE_IMAGE = 'gameday.local/pause:3.10';
export interface SandboxImage { key: 'pause' | 'shop' | 'coredns' | 'iptablesAgent'; ref: string; archive: string }
export const SANDBOX_IMAGES: SandboxImage[] = [
  { key: 'pause', ref: PAUSE_IMAGE, archive: 'pause.tar' },
  { key: 'shop', ref: 'gameday.local/shop:1', archive: 'shop.tar' },
  { key: 'coredns', ref: `gameday.local/coredns:${COREDNS_VERSION}`, archive: 'coredns.tar' },
  { key: 'iptablesAgent', ref: 'registry.k8s.io/build-image/debian-iptables:bookworm-v1.0.0', archive: 'iptables-agent.tar' },
];
export const imageArchivePath = (cache: string, key: SandboxImage['key']): string => join(cache, 'images', SANDBOX_IMAGES.find((i) => i.key === key)!.archive);
