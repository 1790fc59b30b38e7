/** Drives the real CLI in a real pseudo-terminal (tmux on a private socket) for tests. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = `${REPO}bin/gameday.js`;

export function assertBuilt(): void {
  if (!existsSync(`${REPO}dist/cli/main.js`) || !existsSync(`${REPO}dist/drill/engine.js`)) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
}

export class Tmux {
  readonly socket = `gameday-test-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }
  start(cwd: string, command: string, env: Record<string, string> = {}): void {
    const envs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    // the command's exit code is printed after it so the test can read it; the shell then waits.
    // A no-op INT trap keeps the shell alive when Ctrl-C reaches the whole foreground group.
    this.tmux('new-session', '-d', '-s', 'drill', '-x', '150', '-y', '60', '-c', cwd, 'env', ...envs, 'bash', '-c', `trap 'true' INT; ${command}; echo "EXIT=$?"; sleep 600`);
  }
  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', 'drill', ...keys);
  }
  /** literal text, no key-name interpretation */
  type(text: string): void {
    this.tmux('send-keys', '-t', 'drill', '-l', text);
  }
  screen(opts: { escapes?: boolean } = {}): string {
    return this.tmux('capture-pane', '-p', '-J', ...(opts.escapes ? ['-e'] : []), '-S', '-2000', '-t', 'drill');
  }
  async waitFor(what: string | RegExp, timeoutMs = 20_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const s = this.screen();
      if (typeof what === 'string' ? s.includes(what) : what.test(s)) return s;
      if (/EXIT=\d+/.test(s) && !(what instanceof RegExp && what.source.includes('EXIT'))) throw new Error(`the command ended while waiting for ${String(what)}; screen:\n${s}`);
      if (Date.now() > until) throw new Error(`timed out waiting for ${String(what)}; screen:\n${s}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  async exitCode(timeoutMs = 30_000): Promise<number> {
    const s = await this.waitFor(/EXIT=\d+/, timeoutMs);
    return Number(/EXIT=(\d+)/.exec(s)![1]);
  }
  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
  }
}
