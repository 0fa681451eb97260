// The real MCP servers whose manifests make up the search eval's corpus: npm package, pinned version, how to start it.
// Credentials are dummy values: listing tools needs none to be valid, and no server is called.

/**
 * `{{tmp}}` in args or env is replaced by a scratch directory of the capture run; `files` (name → text) are written into
 * it before the server starts; `native` names addons compiled from source at install (install scripts are off).
 */
export const EVAL_SERVERS = [
  { name: 'everything', pkg: '@modelcontextprotocol/server-everything', version: '2026.8.31', args: ['stdio'] },
  { name: 'memory', pkg: '@modelcontextprotocol/server-memory', version: '2026.8.31', env: { MEMORY_FILE_PATH: '{{tmp}}/memory.jsonl' } },
  { name: 'filesystem', pkg: '@modelcontextprotocol/server-filesystem', version: '2026.8.31', args: ['{{tmp}}'] },
  { name: 'github', pkg: '@modelcontextprotocol/server-github', version: '2025.4.8', env: { GITHUB_PERSONAL_ACCESS_TOKEN: 'dummy' } },
  { name: 'gitlab', pkg: '@modelcontextprotocol/server-gitlab', version: '2025.4.25', env: { GITLAB_PERSONAL_ACCESS_TOKEN: 'dummy' } },
  { name: 'slack', pkg: '@modelcontextprotocol/server-slack', version: '2025.4.25', env: { SLACK_BOT_TOKEN: 'dummy', SLACK_TEAM_ID: 'T000' } },
  { name: 'google-maps', pkg: '@modelcontextprotocol/server-google-maps', version: '0.6.2', env: { GOOGLE_MAPS_API_KEY: 'dummy' } },
  { name: 'brave-search', pkg: '@modelcontextprotocol/server-brave-search', version: '0.6.2', env: { BRAVE_API_KEY: 'dummy' } },
  { name: 'puppeteer', pkg: '@modelcontextprotocol/server-puppeteer', version: '2025.5.12' },
  { name: 'postgres', pkg: '@modelcontextprotocol/server-postgres', version: '0.6.2', args: ['postgresql://127.0.0.1:1/dummy'] },
  { name: 'sequential-thinking', pkg: '@modelcontextprotocol/server-sequential-thinking', version: '2026.8.31' },
  { name: 'playwright', pkg: '@playwright/mcp', version: '0.0.83' },
  { name: 'notion', pkg: '@notionhq/notion-mcp-server', version: '2.5.2', env: { NOTION_TOKEN: 'dummy' } },
  { name: 'firecrawl', pkg: 'firecrawl-mcp', version: '3.22.2', env: { FIRECRAWL_API_KEY: 'fc-dummy' } },
  { name: 'tavily', pkg: 'tavily-mcp', version: '0.2.22', env: { TAVILY_API_KEY: 'tvly-dummy' } },
  { name: 'kubernetes', pkg: 'mcp-server-kubernetes', version: '4.1.7' },
  { name: 'desktop-commander', pkg: '@wonderwhy-er/desktop-commander', version: '0.2.52' },
  { name: 'git', pkg: '@cyanheads/git-mcp-server', version: '2.15.3' },
  { name: 'mongodb', pkg: 'mongodb-mcp-server', version: '3.0.4' },
  { name: 'sentry', pkg: '@sentry/mcp-server', version: '0.36.0', args: ['--access-token=dummy'] },
  { name: 'circleci', pkg: '@circleci/mcp-server-circleci', version: '0.20.0', env: { CIRCLECI_TOKEN: 'dummy' } },
  { name: 'figma', pkg: 'figma-developer-mcp', version: '0.13.2', args: ['--figma-api-key=dummy', '--stdio'] },
  { name: 'exa', pkg: 'exa-mcp-server', version: '3.4.1', env: { EXA_API_KEY: 'dummy' } },
];

/**
 * Servers of a second corpus (corpus-extra.json) that the search was never tuned on: queries-extra.json is ranked
 * against both corpora together, to show whether the search works for servers its vocabulary was not written for.
 */
export const EXTRA_SERVERS = [
  { name: 'jira', pkg: '@aashari/mcp-server-atlassian-jira', version: '3.3.0', env: { ATLASSIAN_SITE_NAME: 'example', ATLASSIAN_USER_EMAIL: 'a@example.com', ATLASSIAN_API_TOKEN: 'dummy' } },
  { name: 'airtable', pkg: 'airtable-mcp-server', version: '1.14.0', env: { AIRTABLE_API_KEY: 'dummy' } },
  { name: 'todoist', pkg: 'todoist-mcp', version: '1.3.4', env: { API_KEY: 'dummy', TODOIST_API_TOKEN: 'dummy' } },
  { name: 'hubspot', pkg: '@hubspot/mcp-server', version: '0.4.0', env: { PRIVATE_APP_ACCESS_TOKEN: 'dummy' } },
  { name: 'browser', pkg: '@executeautomation/playwright-mcp-server', version: '1.0.12' },
  { name: 'mapbox', pkg: '@mapbox/mcp-server', version: '0.14.0', env: { MAPBOX_ACCESS_TOKEN: 'pk.dummy' } },
  { name: 'elasticsearch', pkg: '@elastic/mcp-server-elasticsearch', version: '0.3.1', env: { ES_URL: 'http://127.0.0.1:1', ES_API_KEY: 'dummy' } },
  { name: 'fetch', pkg: '@kazuph/mcp-fetch', version: '1.6.3' },
  { name: 'obsidian', pkg: 'mcp-obsidian', version: '1.0.0', args: ['{{tmp}}'] },
  { name: 'docker', pkg: 'mcp-server-docker', version: '1.0.0' },
];

/**
 * Older versions of twelve eval servers (corpus-old.json, `capture.mjs --old`): the eval ranks the holdouts' queries
 * for these servers with them in place of the pinned versions, to show what a description that drifted between
 * versions costs (the phrasings of data/phrasings.txt were written against the pinned ones).
 */
export const OLDER_VERSIONS = {
  everything: '2025.7.29',
  memory: '2025.4.25',
  filesystem: '2025.7.1',
  playwright: '0.0.35',
  firecrawl: '3.1.13',
  mongodb: '1.2.0',
  sentry: '0.17.0',
  notion: '1.9.0',
  git: '2.10.3',
  tavily: '0.2.10',
  exa: '3.0.5',
  'desktop-commander': '0.2.10',
};

/** Popular servers outside the eval's query sets, captured so that data/phrasings.txt can cover them (corpus-more.json). */
export const MORE_SERVERS = [
  { name: 'gdrive', pkg: '@modelcontextprotocol/server-gdrive', version: '2025.1.14', env: { GDRIVE_CREDENTIALS_PATH: '{{tmp}}/gdrive-credentials.json' }, files: { 'gdrive-credentials.json': '{"access_token":"dummy"}' } },
  { name: 'everart', pkg: '@modelcontextprotocol/server-everart', version: '0.6.2', env: { EVERART_API_KEY: 'dummy' } },
  { name: 'aws-kb', pkg: '@modelcontextprotocol/server-aws-kb-retrieval', version: '0.6.2', env: { AWS_ACCESS_KEY_ID: 'dummy', AWS_SECRET_ACCESS_KEY: 'dummy', AWS_REGION: 'us-east-1' } },
  { name: 'chrome-devtools', pkg: 'chrome-devtools-mcp', version: '1.11.0' },
  // The default features except docs: listing its tool fetches the docs' GraphQL schema from supabase.com.
  { name: 'supabase', pkg: '@supabase/mcp-server-supabase', version: '0.13.0', args: ['--access-token=dummy', '--features=account,database,debugging,development,functions,branching'] },
  { name: 'sqlite', pkg: 'mcp-server-sqlite-npx', version: '0.8.0', args: ['{{tmp}}/db.sqlite'], native: ['sqlite3'] },
  { name: 'perplexity', pkg: 'server-perplexity-ask', version: '0.1.3', env: { PERPLEXITY_API_KEY: 'dummy' } },
  { name: 'browserbase', pkg: '@browserbasehq/mcp-server-browserbase', version: '2.4.3', env: { BROWSERBASE_API_KEY: 'dummy', BROWSERBASE_PROJECT_ID: 'dummy', GEMINI_API_KEY: 'dummy' } },
  { name: 'linear', pkg: 'linear-mcp-server', version: '0.1.0', env: { LINEAR_API_KEY: 'dummy' } },
  { name: 'netlify', pkg: '@netlify/mcp', version: '1.15.1', env: { NETLIFY_PERSONAL_ACCESS_TOKEN: 'dummy' } },
];
