// Static bearer tokens, in Kubernetes' --token-auth-file format: one CSV record per line,
// `token,user,uid[,"group1,group2"]`. Meant for bootstrap and tests; tokens never expire.

import { readFile } from 'node:fs/promises';
import type { TokenAuthenticator, UserInfo } from './authn.ts';

export class StaticTokenAuthenticator implements TokenAuthenticator {
  readonly #users: Map<string, UserInfo>;

  constructor(entries: Iterable<readonly [token: string, user: UserInfo]>) {
    this.#users = new Map();
    for (const [token, user] of entries) {
      if (token === '') throw new Error('static token must not be empty');
      this.#users.set(token, user);
    }
  }

  /** Reads a token file; a malformed one is a configuration error and throws. */
  static async fromFile(path: string): Promise<StaticTokenAuthenticator> {
    return new StaticTokenAuthenticator(parseTokenCsv(await readFile(path, 'utf8'), path));
  }

  async authenticate(token: string): Promise<UserInfo | undefined> {
    const user = this.#users.get(token);
    if (user === undefined) return undefined;
    return { ...user, groups: [...user.groups] };
  }
}

/** Parses a token file into [token, user] pairs; later duplicates of a token win. */
export function parseTokenCsv(text: string, source = 'token file'): Array<[string, UserInfo]> {
  const entries: Array<[string, UserInfo]> = [];
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const fields = parseCsvRecord(line);
    if (fields === undefined) throw new Error(`${source}:${index + 1}: unterminated quoted field`);
    const [token, username, uid, groups] = fields;
    if (token === undefined || username === undefined || uid === undefined) {
      throw new Error(`${source}:${index + 1}: want at least 3 fields (token,user,uid), got ${fields.length}`);
    }
    if (token === '') throw new Error(`${source}:${index + 1}: empty token`);
    if (username === '') throw new Error(`${source}:${index + 1}: empty user name`);
    const user: UserInfo = {
      username,
      groups: (groups ?? '').split(',').map((g) => g.trim()).filter((g) => g !== ''),
    };
    if (uid !== '') user.uid = uid;
    entries.push([token, user]);
  }
  return entries;
}

/**
 * One CSV record (RFC 4180 quoting, leading spaces of a field ignored as Go's
 * csv.Reader{TrimLeadingSpace: true} does). Undefined when a quote is left open.
 */
function parseCsvRecord(line: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return undefined;
        const c = line[i++];
        if (c !== '"') field += c;
        else if (line[i] === '"') field += line[i++];
        else break;
      }
      // Anything between the closing quote and the next comma is kept, as a lenient reader does.
      while (i < line.length && line[i] !== ',') field += line[i++];
    } else {
      while (i < line.length && line[i] !== ',') field += line[i++];
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i++; // the comma
  }
}
