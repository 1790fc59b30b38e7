/**
 * The real nodes' cgroups (I/O): every process a node starts — node-init, containerd, its shims,
 * kubelet, kube-proxy, the pods' containers — lives under <hierarchy>/gameday-sandbox/<id>/<node>
 * (`root` below is the relative path of one node, or of a whole sandbox). That
 * is how `down` finds them all, even after a SIGKILL of the node's init left shims and containers
 * running: it kills what the cgroups hold (checked until empty) and removes the cgroups it made.
 */
import { sleep } from '../../core/clock.js';
import { readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const CGROUP_FS = '/sys/fs/cgroup';

/** The hierarchies mounted here (v1 controllers and the unified one), as directories. */
function hierarchies(): string[] {
  try {
    return readdirSync(CGROUP_FS)
      .map((h) => join(CGROUP_FS, h))
      .filter((h) => {
        try {
          return statSync(h).isDirectory();
        } catch {
          return false;
        }
      });
  } catch {
    return [];
  }
}

/** Every cgroup directory under dir, deepest first. */
function subtree(dir: string): string[] {
  let children: string[] = [];
  try {
    children = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => join(dir, e.name));
  } catch {
    return [];
  }
  return [...children.flatMap(subtree), dir];
}

function pidsIn(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** The cgroup directories at `root` (relative), in every hierarchy. */
export function nodeCgroups(root: string): string[] {
  return hierarchies()
    .map((h) => join(h, root))
    .filter((d) => {
      try {
        return statSync(d).isDirectory();
      } catch {
        return false;
      }
    });
}

/** Pids of every process in the cgroups at `root`, all the way down. */
export function nodeProcesses(root: string): number[] {
  const out = new Set<number>();
  for (const dir of nodeCgroups(root)) for (const d of subtree(dir)) for (const pid of pidsIn(d)) out.add(pid);
  return [...out];
}


/**
 * SIGKILLs everything in the node's cgroups until they are empty (bounded), then removes the
 * cgroups, deepest first. Returns what could not be removed (empty = clean).
 */
export async function killAndRemoveCgroups(root: string): Promise<{ killed: number; left: string[] }> {
  let killed = 0;
  for (let round = 0; round < 50; round++) {
    const pids = nodeProcesses(root).filter((p) => p !== process.pid);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        /* already gone */
      }
    }
    await sleep(100);
  }
  const left: string[] = [];
  // a cgroup is removable only once its tasks are gone (zombies included): retry briefly
  for (const dir of nodeCgroups(root)) {
    for (const d of subtree(dir)) {
      let removed = false;
      for (let i = 0; i < 20 && !removed; i++) {
        try {
          rmdirSync(d);
          removed = true;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') removed = true;
          else await sleep(100);
        }
      }
      if (!removed) left.push(d);
    }
  }
  // the parents (the sandbox's, then the shared one) go when nothing else is left in them
  const parents = root.split('/').slice(0, -1).map((_, i, all) => all.slice(0, all.length - i).join('/'));
  for (const parent of parents) for (const h of hierarchies()) tryRmdir(join(h, parent));
  return { killed, left };
}

function tryRmdir(d: string): void {
  try {
    rmdirSync(d);
  } catch {
    /* not empty (another node) or gone */
  }
}
