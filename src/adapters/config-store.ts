/**
 * Loads environments: `gameday.yaml` in the working directory (or --config FILE), plus the
 * environment the practice sandbox registers when it starts (<cache>/sandbox/environment.json),
 * which appears as `sandbox` unless the file defines that name itself.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { configSpec, environmentSpec, type Config, type Environment } from '../core/environment.js';
import { GamedayError } from '../core/errors.js';
import { own, quoted } from '../core/text.js';
import { sandboxEnvironmentFile } from './cache-dir.js';
import { readRegularFile } from './regular-file.js';
import { parseYamlSource, zodProblems } from '../core/yaml-source.js';
import { formatProblem } from '../core/problem.js';

export const DEFAULT_CONFIG_FILE = 'gameday.yaml';
/** An environments file is a few kilobytes; anything this big is not one. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export interface LoadedConfig {
  file: string | undefined;
  config: Config;
  environments: Record<string, Environment>;
  stateDir: string;
}


export function loadConfig(opts: { configFile?: string; cwd?: string } = {}): LoadedConfig {
  const cwd = opts.cwd ?? process.cwd();
  const explicit = opts.configFile ?? process.env.GAMEDAY_CONFIG;
  const file = explicit ? resolve(cwd, explicit) : join(cwd, DEFAULT_CONFIG_FILE);
  let config: Config = { environments: {} };
  let found: string | undefined;
  if (existsSync(file)) {
    found = file;
    const src = parseYamlSource(file, readRegularFile(file, { what: 'config file', maxBytes: MAX_CONFIG_BYTES }).toString('utf8'));
    if (src.fatal) throw invalid(src.problems.map(formatProblem));
    // a warning (an unknown tag…) is reported with the schema's problems, not instead of them
    const parsed = configSpec.safeParse(src.data ?? {});
    const problems = [...src.problems, ...(parsed.success ? [] : zodProblems(src, parsed.error))];
    if (problems.length || !parsed.success) throw invalid(problems.map(formatProblem));
    config = parsed.data;
  } else if (explicit) {
    throw new GamedayError('NOT_FOUND', `config file not found: ${file}`, { hint: 'pass an existing file to --config, or drop the flag' });
  }
  // no prototype: an environment named like an Object method is just an unknown name
  const environments: Record<string, Environment> = Object.create(null) as Record<string, Environment>;
  for (const [name, env] of Object.entries(config.environments)) environments[name] = { ...env, name };
  const sandbox = readSandboxEnvironment();
  if (sandbox && !own(environments, 'sandbox')) environments.sandbox = sandbox;
  const stateDir = resolve(
    process.env.GAMEDAY_STATE_DIR ?? (config.stateDir ? resolve(found ? dirname(found) : cwd, config.stateDir) : join(found ? dirname(found) : cwd, '.gameday')),
  );
  assertUsableStateDir(stateDir);
  return { file: found, config, environments, stateDir };
}

/** `stateDir: /dev/null` (or a file) would break every command that writes a journal or the halt flag. */
function assertUsableStateDir(dir: string): void {
  let st;
  try {
    st = statSync(dir);
  } catch {
    return; // created on first use
  }
  if (!st.isDirectory()) {
    throw new GamedayError('INVALID_INPUT', `the state directory ${dir} is not a directory`, { hint: 'point stateDir (or GAMEDAY_STATE_DIR) at a directory, or remove what is in the way' });
  }
}

function invalid(lines: string[]): GamedayError {
  return new GamedayError('INVALID_INPUT', `invalid config:\n${lines.join('\n')}`, { hint: 'fix the fields above' });
}

function readSandboxEnvironment(): Environment | undefined {
  const file = sandboxEnvironmentFile();
  if (!existsSync(file)) return undefined;
  try {
    const parsed = environmentSpec.safeParse(JSON.parse(readRegularFile(file, { what: 'sandbox registration', maxBytes: MAX_CONFIG_BYTES }).toString('utf8')));
    return parsed.success ? { ...parsed.data, name: 'sandbox' } : undefined;
  } catch {
    return undefined; // a half-written registration is ignored; `sandbox up` rewrites it
  }
}

export function getEnvironment(loaded: LoadedConfig, name: string | undefined): Environment {
  if (!name) throw new GamedayError('INVALID_INPUT', 'missing --env', { hint: `choose one of: ${Object.keys(loaded.environments).join(', ') || '(none defined: write gameday.yaml or run `gameday sandbox up`)'}` });
  const env = own(loaded.environments, name);
  if (!env) {
    const known = Object.keys(loaded.environments);
    throw new GamedayError('NOT_FOUND', `unknown environment ${quoted(name, 40)}${loaded.file ? ` in ${loaded.file}` : ''}`, {
      hint: known.length ? `known environments: ${known.join(', ')}` : name === 'sandbox' ? 'start it with `gameday sandbox up`' : `define it in ${DEFAULT_CONFIG_FILE}`,
    });
  }
  return env;
}
