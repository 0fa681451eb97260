// The validated, frozen shape of config.yaml (§4 of the contract). Durations are milliseconds.

export type Sharing = 'global' | 'workspace' | 'credential' | 'session';
export type Surface = 'auto' | 'meta' | 'direct' | 'both';

/** How to serve one kind of client (`gateway.clients`): its surface under `auto`, its own tool-name prefix and limit. */
export interface ClientRule {
  readonly surface?: Exclude<Surface, 'auto'>;
  /** What the client puts before a tool name; `{name}` is the registration name. */
  readonly prefix?: string;
  /** The longest tool name (its prefix included) the client keeps. */
  readonly maxName?: number;
}

export interface ToolFilter {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

export interface RestartPolicy {
  readonly retries: number;
  readonly minDelay: number;
  readonly maxDelay: number;
}

export interface ServerConfig {
  readonly command?: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly url?: string;
  readonly transport?: 'http' | 'sse';
  readonly headers: Readonly<Record<string, string>>;
  readonly docker?: { readonly image: string; readonly args: readonly string[] };
  readonly env: Readonly<Record<string, string>>;
  readonly sharing: Sharing;
  readonly idleTimeout?: number;
  readonly callTimeout?: number;
  readonly enabled: boolean;
  readonly description?: string;
  readonly tools: ToolFilter;
  readonly limits: { readonly memoryMB?: number };
  readonly restart: RestartPolicy;
}

export interface AuthConfig {
  /** owner: only this OS user (proven peer or token); token: a token only; localhost: any local user (opt-in). */
  readonly mode: 'owner' | 'token' | 'localhost';
  readonly tokens: readonly string[];
  readonly apiKeys: readonly string[];
}

export interface GatewayConfig {
  readonly port: number;
  readonly host: string;
  readonly surface: Surface;
  /** The name mcplex is registered under in the clients (`mcplex setup --name`); part of their tool-name prefix. */
  readonly registrationName: string;
  /** Client-name globs → how to serve that client; checked before the built-in table. */
  readonly clients: Readonly<Record<string, ClientRule>>;
  readonly idleTimeout: number;
  readonly callTimeout: number;
  readonly startTimeout: number;
  readonly auth: AuthConfig;
  readonly env: Readonly<Record<string, string>>;
}

export interface Config {
  readonly gateway: GatewayConfig;
  readonly servers: Readonly<Record<string, ServerConfig>>;
  /** Absolute path of the file this came from (undefined for an empty default config). */
  readonly path?: string;
  /** Directory relative paths (server cwd) are resolved against. */
  readonly dir: string;
}

/** A workspace `.mcplex.yaml`: only `servers:` (same schema). */
export interface WorkspaceConfig {
  readonly servers: Readonly<Record<string, ServerConfig>>;
  readonly path: string;
  readonly dir: string;
}

/** One problem found in a config file, with its YAML path and line where known. */
export interface ConfigProblem {
  readonly path: string;
  readonly line?: number;
  readonly message: string;
}
