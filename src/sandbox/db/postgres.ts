/**
 * The RDS cluster's instances as real PostgreSQL servers (Debian's postgresql-15), one per instance of
 * the cluster shop-db, each listening on its own address in the VPC namespace (layout.ts
 * DB_INSTANCES) and on a unix socket in the sandbox's state directory (how the RDS follower talks to
 * them from the host without a route). Small on purpose: shared_buffers 16 MB, 40 connections, no
 * fsync (a practice database). No replication: each instance keeps its own orders; the point of a
 * failover drill is the connections and the names, not the data.
 *
 * PostgreSQL refuses to run as root: the servers run as the `postgres` user the Debian package
 * creates, with their data directories owned by it (under /var/tmp: see dbRoot).
 */
import { pidAlive } from '../../adapters/env-lock.js';
import { execFile } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { GamedayError } from '../../core/errors.js';
import type { SandboxPaths } from '../paths.js';
import { DB_INSTANCES, DB_PORT, netLayout } from '../real-node/layout.js';
import { sleep } from '../../core/clock.js';
import { spawnDetached, tail, type ProcessRecord } from '../supervisor.js';

const exec = promisify(execFile);

/** Debian's layout (postgresql-15); the newest installed major wins. */
export function postgresBinDir(): string | undefined {
  try {
    const majors = readdirSync('/usr/lib/postgresql').filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
    const dir = majors.map((m) => `/usr/lib/postgresql/${m}/bin`).find((d) => existsSync(join(d, 'postgres')));
    return dir;
  } catch {
    return undefined;
  }
}

/**
 * Where the instances keep their data and sockets: outside the cache, because PostgreSQL refuses to
 * run as root and the `postgres` user cannot reach into root's home (0700). One directory per sandbox
 * (the hash of its state directory, as its namespaces): removed by `down`, found by its name after a crash.
 */
export const dbRoot = (p: SandboxPaths) => join('/var/tmp', `gameday-sandbox-${netLayout(p.state).instance}`);
export const dbDir = (p: SandboxPaths, id: string) => join(dbRoot(p), id);
/** the unix socket directory of an instance (the socket is .s.PGSQL.5432 inside it) */
export const dbSocketDir = (p: SandboxPaths, id: string) => join(dbDir(p, id), 'run');

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  try {
    const uid = Number((await exec('id', ['-u', 'postgres'], { encoding: 'utf8' })).stdout.trim());
    const gid = Number((await exec('id', ['-g', 'postgres'], { encoding: 'utf8' })).stdout.trim());
    return { uid, gid };
  } catch {
    throw new GamedayError('BACKEND_FAILED', 'no `postgres` user: the sandbox database needs Debian\'s postgresql package', { hint: 'bash src/sandbox/provision-node.sh apt (apt-get install postgresql)' });
  }
}

const asPostgres = (cmd: string, args: string[]) => ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', cmd, ...args]] as const;

/** psql over an instance's unix socket, as the superuser (read-write even on a reader); the output (tuples only). */
export async function psql(p: SandboxPaths, id: string, sql: string, database = 'postgres'): Promise<string> {
  const bin = postgresBinDir();
  const psqlBin = bin && existsSync(join(bin, 'psql')) ? join(bin, 'psql') : 'psql';
  try {
    return (await exec(psqlBin, ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', dbSocketDir(p, id), '-p', String(DB_PORT), '-U', 'postgres', '-d', database, '-c', sql], { encoding: 'utf8', timeout: 10_000, env: { ...process.env, PGOPTIONS: '-c default_transaction_read_only=off' } })).stdout.trim();
  } catch (e) {
    throw new GamedayError('BACKEND_FAILED', `psql on ${id}: ${((e as { stderr?: string }).stderr ?? (e as Error).message).trim().split('\n')[0]}`, { hint: `read ${join(p.logs, `${id}.log`)}`, cause: e });
  }
}

/**
 * One initdb per PostgreSQL major, kept in the cache (<cache>/postgres/template-<major>, owned by
 * postgres) and copied for each instance: an initdb takes 1.5-3 s here, a copy a tenth of that.
 */
async function initdbTemplate(p: SandboxPaths, bin: string): Promise<string> {
  const major = basename(dirname(bin));
  const dir = join(p.cache, 'postgres');
  const template = join(dir, `template-${major}`);
  if (existsSync(join(template, 'PG_VERSION'))) return template;
  // initdb runs as postgres, so it writes under dbRoot (which postgres can reach), then root moves it
  const work = join(dbRoot(p), `initdb-${process.pid}`);
  mkdirSync(work, { recursive: true, mode: 0o700 });
  const { uid, gid } = await postgresUser();
  chownSync(work, uid, gid);
  const [cmd, args] = asPostgres(join(bin, 'initdb'), ['-D', work, '--no-sync', '-A', 'trust', '-U', 'postgres', '--no-locale', '-E', 'UTF8']);
  try {
    await exec(cmd, [...args], { timeout: 60_000 });
  } catch (e) {
    throw new GamedayError('BACKEND_FAILED', `initdb failed: ${((e as { stderr?: string }).stderr ?? (e as Error).message).trim().split('\n').pop()}`, { cause: e });
  }
  mkdirSync(dir, { recursive: true });
  const staged = `${template}.${process.pid}.tmp`;
  await exec('cp', ['-a', work, staged], { timeout: 60_000 });
  rmSync(work, { recursive: true, force: true });
  try {
    renameSync(staged, template);
  } catch {
    rmSync(staged, { recursive: true, force: true }); // another sandbox made it meanwhile
  }
  return template;
}

/** Initialises (when new) and starts every instance in the VPC namespace; resolves once each accepts connections. */
export async function startDatabases(p: SandboxPaths, vpcNetns: string, opts: { writer: string }): Promise<Record<string, ProcessRecord>> {
  const bin = postgresBinDir();
  if (!bin) throw new GamedayError('BACKEND_FAILED', 'PostgreSQL is not installed (/usr/lib/postgresql/*/bin/postgres)', { hint: 'bash src/sandbox/provision-node.sh apt (apt-get install postgresql)' });
  const { uid, gid } = await postgresUser();
  rmSync(dbRoot(p), { recursive: true, force: true }); // a fresh cluster each `up`, as the rest of the state
  mkdirSync(dbRoot(p), { recursive: true, mode: 0o755 });
  const template = await initdbTemplate(p, bin);
  const out: Record<string, ProcessRecord> = {};
  await Promise.all(
    DB_INSTANCES.map(async (db) => {
      const dir = dbDir(p, db.id);
      const data = join(dir, 'data');
      mkdirSync(dbSocketDir(p, db.id), { recursive: true });
      chownSync(dir, uid, gid);
      chownSync(dbSocketDir(p, db.id), uid, gid);
      if (!existsSync(join(data, 'PG_VERSION'))) {
        await exec('cp', ['-a', template, data], { timeout: 60_000 });
        // the VPC's hosts (pods, nodes) connect without a password: the instances are reachable from nowhere else
        writeFileSync(join(data, 'pg_hba.conf'), 'local all all trust\nhost all all 0.0.0.0/0 trust\n');
        // in the file, not on the command line: a command-line setting would outrank the role a
        // failover sets with ALTER SYSTEM (setRole)
        appendFileSync(
          join(data, 'postgresql.conf'),
          [
            '# gameday sandbox: a small practice instance',
            `listen_addresses = '${db.address}'`,
            `port = ${DB_PORT}`,
            `unix_socket_directories = '${dbSocketDir(p, db.id)}'`,
            `cluster_name = '${db.id}'`,
            "shared_buffers = '16MB'",
            'max_connections = 40',
            'fsync = off',
            'synchronous_commit = off',
            'full_page_writes = off',
            'logging_collector = off',
            'log_connections = on',
            'log_disconnections = on',
            '',
          ].join('\n'),
        );
        writeFileSync(join(data, 'postgresql.auto.conf'), `default_transaction_read_only = '${db.id === opts.writer ? 'off' : 'on'}'\n`);
        chownSync(join(data, 'postgresql.auto.conf'), uid, gid);
      }
      const [cmd, args] = asPostgres(join(bin, 'postgres'), ['-D', data]);
      // `ip netns exec` and setpriv exec in place: the recorded pid is the postmaster's
      out[db.id] = spawnDetached({ name: db.id, command: 'ip', args: ['netns', 'exec', vpcNetns, cmd, ...args], runs: join(bin, 'postgres') }, p.logs);
    }),
  );
  await Promise.all(
    DB_INSTANCES.map(async (db) => {
      const rec = out[db.id]!;
      for (let i = 0; ; i++) {
        // the pid, not the command line: `ip netns exec` and setpriv may not have exec'd postgres yet
        if (!pidAlive(rec.pid)) throw new GamedayError('BACKEND_FAILED', `database ${db.id} exited during start-up: ${tail(rec.log, 3)}`, { hint: `read ${rec.log}` });
        try {
          await psql(p, db.id, 'SELECT 1');
          break;
        } catch (e) {
          if (i > 150) throw e;
          await sleep(200);
        }
      }
      // the shop's schema, on each instance (no replication: see above)
      if (!(await psql(p, db.id, "SELECT 1 FROM pg_roles WHERE rolname = 'shop'"))) await psql(p, db.id, 'CREATE ROLE shop LOGIN');
      if (!(await psql(p, db.id, "SELECT 1 FROM pg_database WHERE datname = 'shop'"))) await psql(p, db.id, 'CREATE DATABASE shop OWNER shop');
      await psql(p, db.id, 'CREATE TABLE IF NOT EXISTS orders (id bigserial PRIMARY KEY, pod text NOT NULL, at timestamptz NOT NULL DEFAULT now()); ALTER TABLE orders OWNER TO shop', 'shop');
    }),
  );
  return out;
}

/**
 * An instance's role after a failover, applied as Aurora does it: the instance restarts (every open
 * connection drops) and comes back as the writer (read-write) or a reader (read-only: writes fail
 * with "cannot execute INSERT in a read-only transaction").
 */
export async function setRole(p: SandboxPaths, id: string, role: 'writer' | 'reader'): Promise<number> {
  await psql(p, id, `ALTER SYSTEM SET default_transaction_read_only = ${role === 'writer' ? 'off' : 'on'}`);
  await psql(p, id, 'SELECT pg_reload_conf()');
  const dropped = await psql(p, id, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()");
  return Number(dropped) || 0;
}

/** Postmasters of this sandbox still running, found by their mark: a data directory under its state. */
export function databaseLeftovers(p: SandboxPaths): number[] {
  const mark = `${dbRoot(p)}/`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').some((a) => a.startsWith(mark))) pids.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return pids;
}

/** Stops leftover postmasters with their backends (their process group: fast shutdown, then SIGKILL) and removes their directory. */
export async function removeDatabaseLeftovers(p: SandboxPaths): Promise<number> {
  const pids = databaseLeftovers(p);
  const group = (pid: number, sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* gone */
      }
    }
  };
  for (const pid of pids) group(pid, 'SIGINT');
  for (let i = 0; i < 30 && databaseLeftovers(p).length; i++) await sleep(100);
  for (const pid of pids) group(pid, 'SIGKILL');
  rmSync(dbRoot(p), { recursive: true, force: true });
  return pids.length;
}
