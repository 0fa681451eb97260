// The files that run the daemon from login: a systemd user unit (Linux) and a launchd agent (macOS). Pure text:
// what to run, with which environment; src/cli/service.ts writes and loads them.
import os from 'node:os';
import path from 'node:path';
import { DAEMON_ENV } from '../home/starter.js';

/** The systemd unit's name. */
export const SYSTEMD_UNIT = 'mcplex.service';
/** The launchd agent's label. */
export const LAUNCHD_LABEL = 'mcplex.daemon';

/** What the service runs. */
export interface ServiceSpec {
  /** The daemon's command line (`daemonCommand()`: node, its flags, mcplex.js serve --detached). */
  argv: string[];
  /** Variables the daemon needs that a login session does not give it: MCPLEX_HOME, PATH, other MCPLEX_*. */
  env: Record<string, string>;
  /** Where launchd appends the daemon's own output (systemd keeps it in the journal). */
  outputFile: string;
}

/**
 * The environment a service carries: MCPLEX_HOME (resolved, so the service's daemon is the shims' daemon), the
 * MCPLEX_* variables set now, PATH (so backends started with npx or uvx are found), and the daemon's own settings
 * (DAEMON_ENV). Nothing else: secrets belong in MCPLEX_HOME/.env, never in a unit file.
 */
export function serviceEnv(home: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(DAEMON_ENV)) out[k] = env[k] ?? v;
  for (const [k, v] of Object.entries(env)) if (k.startsWith('MCPLEX_') && v !== undefined) out[k] = v;
  out.MCPLEX_HOME = home;
  if (env.PATH) out.PATH = env.PATH;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** Where the unit or agent file goes for this user. */
export function serviceFile(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`);
  const config = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  return path.join(config, 'systemd', 'user', SYSTEMD_UNIT);
}

/** One systemd word, quoted: backslash and quote escaped, `%` (specifiers) doubled, and `$` where it expands. */
function systemdWord(s: string, dollarExpands: boolean): string {
  const quoted = s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/%/g, '%%');
  return `"${dollarExpands ? quoted.replace(/\$/g, '$$$$') : quoted}"`;
}

/**
 * A systemd user unit. Restart=on-failure restarts a daemon that crashed but not one stopped on purpose
 * (`mcplex stop` ends it with exit 0); `serve --detached` exits 0 when a shim's daemon already holds the lock, so
 * the service never fights it. KillMode=mixed: SIGTERM to the daemon alone, which stops its backends in order.
 */
export function systemdUnit(spec: ServiceSpec): string {
  const env = Object.entries(spec.env).map(([k, v]) => `Environment=${systemdWord(`${k}=${v}`, false)}`);
  return [
    '# Written by `mcplex service install`; `mcplex service uninstall` removes it.',
    '[Unit]',
    'Description=mcplex: one shared MCP daemon for every MCP client',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${spec.argv.map((a) => systemdWord(a, true)).join(' ')}`,
    ...env,
    'WorkingDirectory=~',
    'Restart=on-failure',
    'RestartSec=2',
    'KillMode=mixed',
    'TimeoutStopSec=40',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

const xml = (s: string) => s.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);

/** A launchd agent: run at load (login), restarted only after an unsuccessful exit, output to daemon.out. */
export function launchdPlist(spec: ServiceSpec): string {
  const strings = (items: string[], indent: string) => items.map((s) => `${indent}<string>${xml(s)}</string>`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<!-- Written by `mcplex service install`; `mcplex service uninstall` removes it. -->',
    '<plist version="1.0">',
    '<dict>',
    '  <key>Label</key>',
    `  <string>${LAUNCHD_LABEL}</string>`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    ...strings(spec.argv, '    '),
    '  </array>',
    '  <key>EnvironmentVariables</key>',
    '  <dict>',
    ...Object.entries(spec.env).flatMap(([k, v]) => [`    <key>${xml(k)}</key>`, `    <string>${xml(v)}</string>`]),
    '  </dict>',
    '  <key>RunAtLoad</key>',
    '  <true/>',
    '  <key>KeepAlive</key>',
    '  <dict>',
    '    <key>SuccessfulExit</key>',
    '    <false/>',
    '  </dict>',
    '  <key>ProcessType</key>',
    '  <string>Background</string>',
    '  <key>StandardOutPath</key>',
    `  <string>${xml(spec.outputFile)}</string>`,
    '  <key>StandardErrorPath</key>',
    `  <string>${xml(spec.outputFile)}</string>`,
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}
