/**
 * The load balancer's own health checks (an ALB's health checker, not moto's: moto calls every
 * registered target of a running instance "healthy"). Each target in service is asked for its
 * target group's health-check path; two answers in a row change its state (AWS: 5 to become healthy,
 * 2 to become unhealthy, every 30 s — the sandbox checks every second so a drill sees it in seconds).
 * Each target is checked on its own: one that does not answer (a kwok node's address) never delays
 * another's verdict.
 */
import { dialVia } from './dial.js';
import type { AwsView, TargetHealth } from './routing.js';

export const HEALTH_INTERVAL_MS = 1_000;
export const HEALTH_TIMEOUT_MS = 2_000;
export const HEALTHY_THRESHOLD = 2;
export const UNHEALTHY_THRESHOLD = 2;

interface Tracked {
  state: TargetHealth;
  passes: number;
  fails: number;
  last: string;
}

/** One check: a GET of path with a deadline; a 2xx/3xx answer passes. */
export async function checkOnce(via: string, ip: string, port: number, path: string, timeoutMs = HEALTH_TIMEOUT_MS): Promise<{ ok: boolean; detail: string }> {
  const started = Date.now();
  let socket;
  try {
    socket = await dialVia(via, ip, port, timeoutMs);
  } catch (e) {
    return { ok: false, detail: (e as Error).message };
  }
  return new Promise((resolve) => {
    const s = socket;
    let buf = '';
    const done = (ok: boolean, detail: string) => {
      clearTimeout(timer);
      s.destroy();
      resolve({ ok, detail });
    };
    const timer = setTimeout(() => done(false, `no answer within ${timeoutMs} ms`), Math.max(1, timeoutMs - (Date.now() - started)));
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      buf += d;
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(buf);
      if (m) done(Number(m[1]) >= 200 && Number(m[1]) < 400, `HTTP ${m[1]}`);
      else if (buf.length > 64 || buf.includes('\r\n')) done(false, 'not an HTTP answer');
    });
    s.on('error', (e) => done(false, e.message));
    s.on('end', () => done(false, 'closed without an answer'));
    s.resume();
    s.write(`GET ${path} HTTP/1.1\r\nHost: ${ip}:${port}\r\nUser-Agent: ELB-HealthChecker/2.0\r\nConnection: close\r\n\r\n`);
  });
}

export class HealthChecker {
  private readonly targets = new Map<string, Tracked>();
  /** targets whose check is under way */
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly via: string,
    private readonly log: (m: string) => void,
  ) {}

  state = (key: string): TargetHealth => this.targets.get(key)?.state ?? 'initial';

  /** Starts a check of every target in service in the view that has none under way; resolves when those end. */
  async round(view: AwsView): Promise<void> {
    const wanted = new Map<string, { ip: string; port: number; path: string }>();
    for (const tg of view.targetGroups) {
      for (const t of tg.targets) {
        if (t.state !== 'healthy' && t.state !== 'initial') continue;
        const inst = view.instances.find((i) => i.id === t.id);
        if (!inst?.privateIp || inst.state !== 'running') continue;
        const port = tg.healthCheckPort === 'traffic-port' ? t.port : Number(tg.healthCheckPort) || t.port;
        wanted.set(`${inst.privateIp}:${t.port}`, { ip: inst.privateIp, port, path: tg.healthCheckPath });
      }
    }
    // a target out of service starts again from "initial" when it returns (as on AWS)
    for (const key of [...this.targets.keys()]) if (!wanted.has(key)) this.targets.delete(key);
    await Promise.all(
      [...wanted].filter(([key]) => !this.inFlight.has(key)).map(async ([key, w]) => {
        this.inFlight.add(key);
        const r = await checkOnce(this.via, w.ip, w.port, w.path).finally(() => this.inFlight.delete(key));
        const t = this.targets.get(key) ?? { state: 'initial' as TargetHealth, passes: 0, fails: 0, last: '' };
        t.passes = r.ok ? t.passes + 1 : 0;
        t.fails = r.ok ? 0 : t.fails + 1;
        t.last = r.detail;
        const next: TargetHealth = t.passes >= HEALTHY_THRESHOLD ? 'healthy' : t.fails >= UNHEALTHY_THRESHOLD ? 'unhealthy' : t.state;
        if (next !== t.state) this.log(`target ${key} ${t.state} → ${next} (GET ${w.path}: ${r.detail})`);
        t.state = next;
        this.targets.set(key, t);
      }),
    );
  }

  summary(): Record<string, string> {
    return Object.fromEntries([...this.targets].map(([k, t]) => [k, `${t.state} (${t.last})`]));
  }
}
