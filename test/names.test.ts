import { describe, expect, it } from 'vitest';
import { DirectNames, MAX_TOOL_NAME, directName, sanitizeName } from '../src/surface/names.js';

const VALID = /^[A-Za-z0-9_-]{1,64}$/;

describe('directName', () => {
  it('joins server and tool with a double underscore', () => {
    expect(directName('filesystem', 'read_text_file')).toBe('filesystem__read_text_file');
    expect(directName('everything', 'get-sum')).toBe('everything__get-sum');
  });

  it('keeps names of exactly 64 characters unchanged', () => {
    const tool = 'x'.repeat(MAX_TOOL_NAME - 'srv__'.length);
    expect(directName('srv', tool)).toBe(`srv__${tool}`);
    expect(directName('srv', tool)).toHaveLength(64);
  });

  it('shortens long names to 64 characters with a stable hash suffix', () => {
    const tool = 'a_really_long_tool_name_that_goes_on_and_on_and_on_for_quite_a_while';
    const n = directName('filesystem', tool);
    expect(n.length).toBeLessThanOrEqual(MAX_TOOL_NAME);
    expect(n).toHaveLength(64);
    expect(n).toMatch(VALID);
    expect(n).toMatch(/_[0-9a-f]{8}$/);
    // The server part is cut first, so as much of the tool's name as possible stays readable.
    expect(n.startsWith('file__a_really_long_tool_name')).toBe(true);
    expect(directName('filesystem', tool)).toBe(n); // stable
    expect(directName('filesystem', `${tool}2`)).not.toBe(n); // same prefix, different hash
  });

  it('fits a smaller budget (a client prefix) by cutting the server part first', () => {
    expect(directName('a-server-with-a-long-name', 'echo', 30)).toMatch(/^a-server-with-a__echo_[0-9a-f]{8}$/);
    const long = directName('a-server-with-a-long-name', 'trigger-long-running-operation', 30);
    expect(long).toMatch(/^a-se__trigger-long-ru_[0-9a-f]{8}$/);
    expect(long).toHaveLength(30);
    expect(directName('srv', 'echo', 30)).toBe('srv__echo');
    expect(new DirectNames(30).add('a-server-with-a-long-name', 'echo')).toBe(directName('a-server-with-a-long-name', 'echo', 30));
  });

  it('sanitizes characters outside [A-Za-z0-9_-]', () => {
    expect(sanitizeName('fs.read file/ü')).toBe('fs_read_file__');
    expect(directName('fs', 'files.read')).toBe('fs__files_read');
  });
});

describe('DirectNames', () => {
  it('resolves plain names back to server and tool', () => {
    const names = new DirectNames();
    const n = names.add('memory', 'read_graph');
    expect(n).toBe('memory__read_graph');
    expect(names.resolve(n)).toEqual({ server: 'memory', tool: 'read_graph' });
    expect(names.resolve('memory__nope')).toBeUndefined();
    expect(names.add('memory', 'read_graph')).toBe(n); // idempotent
    expect(names.size).toBe(1);
  });

  it('long names are <= 64, stable across listings and resolvable', () => {
    const server = 'my-very-long-server-name-for-testing';
    const tools = [
      'summarize_the_entire_repository_history_with_details',
      'summarize_the_entire_repository_history_with_details_v2',
    ];
    const first = new DirectNames();
    const second = new DirectNames();
    const a = tools.map((t) => first.add(server, t));
    const b = [...tools].reverse().map((t) => second.add(server, t)).reverse();
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(2);
    a.forEach((n, i) => {
      expect(n.length).toBeLessThanOrEqual(MAX_TOOL_NAME);
      expect(n).toMatch(VALID);
      expect(first.resolve(n)).toEqual({ server, tool: tools[i] });
    });
  });

  it('a name with a dot is sanitized and resolvable to the original', () => {
    const names = new DirectNames();
    const n = names.add('github', 'repos.get');
    expect(n).toBe('github__repos_get');
    expect(n).toMatch(VALID);
    expect(names.resolve(n)).toEqual({ server: 'github', tool: 'repos.get' });
    expect(names.nameOf('github', 'repos.get')).toBe(n);
  });

  it('never maps two originals to the same name', () => {
    const names = new DirectNames();
    const a = names.add('github', 'repos.get');
    const b = names.add('github', 'repos_get');
    const c = names.add('github', 'repos/get');
    expect(a).toBe('github__repos_get');
    expect(new Set([a, b, c]).size).toBe(3);
    for (const n of [b, c]) {
      expect(n).toMatch(VALID);
      expect(n).toMatch(/_[0-9a-f]{8}$/);
    }
    expect(names.resolve(a)).toEqual({ server: 'github', tool: 'repos.get' });
    expect(names.resolve(b)).toEqual({ server: 'github', tool: 'repos_get' });
    expect(names.resolve(c)).toEqual({ server: 'github', tool: 'repos/get' });
  });

  it('separates servers whose joined names would be ambiguous', () => {
    const names = new DirectNames();
    const a = names.add('a', 'b__c');
    const b = names.add('a__b', 'c');
    expect(a).not.toBe(b);
    expect(names.resolve(a)).toEqual({ server: 'a', tool: 'b__c' });
    expect(names.resolve(b)).toEqual({ server: 'a__b', tool: 'c' });
    expect([...names.entries()]).toHaveLength(2);
  });
});
