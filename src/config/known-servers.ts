// The built-in catalog: well-known MCP servers installable by name alone (command, args, the env they need).

export interface KnownServer {
  description: string;
  command: string;
  args: string[];
  /** Variables the server needs; the user supplies values (they go to .env, never into the config). */
  env?: string[];
  /** A program besides Node that the server needs on PATH, and how to get it. */
  runtime?: { command: string; install: string };
}

const npx = (pkg: string, ...rest: string[]) => ({ command: 'npx', args: ['-y', pkg, ...rest] });
const uvx = (pkg: string, ...rest: string[]) => ({
  command: 'uvx',
  args: [pkg, ...rest],
  runtime: { command: 'uvx', install: 'install uv, which provides uvx (see https://docs.astral.sh/uv/getting-started/installation/, or `pipx install uv`)' },
});

/** Name → definition. */
export const KNOWN_SERVERS: Readonly<Record<string, KnownServer>> = {
  filesystem: { description: 'Read, write and search files under allowed directories', ...npx('@modelcontextprotocol/server-filesystem', '.') },
  memory: { description: 'Knowledge-graph memory: entities, relations, observations', ...npx('@modelcontextprotocol/server-memory') },
  everything: { description: 'MCP reference server exercising every protocol feature', ...npx('@modelcontextprotocol/server-everything') },
  'sequential-thinking': { description: 'Step-by-step reflective problem solving', ...npx('@modelcontextprotocol/server-sequential-thinking') },
  github: { description: 'GitHub repositories, issues and pull requests', ...npx('@modelcontextprotocol/server-github'), env: ['GITHUB_PERSONAL_ACCESS_TOKEN'] },
  playwright: { description: 'Browser automation with Playwright', ...npx('@playwright/mcp@latest') },
  puppeteer: { description: 'Browser automation with Puppeteer', ...npx('@modelcontextprotocol/server-puppeteer') },
  fetch: { description: 'Fetch web pages as markdown', ...uvx('mcp-server-fetch') },
  git: { description: 'Read and search a local git repository', ...uvx('mcp-server-git') },
  time: { description: 'Current time and timezone conversion', ...uvx('mcp-server-time') },
  context7: { description: 'Up-to-date library documentation', ...npx('@upstash/context7-mcp') },
  'brave-search': { description: 'Web and local search with Brave', ...npx('@modelcontextprotocol/server-brave-search'), env: ['BRAVE_API_KEY'] },
  postgres: { description: 'Read-only PostgreSQL queries', ...npx('@modelcontextprotocol/server-postgres', '${DATABASE_URL}'), env: ['DATABASE_URL'] },
  slack: { description: 'Slack channels and messages', ...npx('@modelcontextprotocol/server-slack'), env: ['SLACK_BOT_TOKEN', 'SLACK_TEAM_ID'] },
};
