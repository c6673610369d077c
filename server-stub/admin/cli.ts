/**
 * `npm run admin -- <command> [flags]`: operator accounts on a data directory, with or without
 * the server running (SQLite takes turns). What creates the first admin of a fresh directory.
 *
 *   create-user  --username U --role R [--apps a,b] [--password-stdin]
 *   list-users
 *   disable-user --username U       enable-user --username U
 *   set-password --username U [--password-stdin]
 *   every command: [--data DIR] (default .slotwise-data) [--store postgres://…] (default
 *   SLOTWISE_DATABASE_URL; the accounts of every instance on that database)
 *
 * Without --password-stdin a strong password is generated and printed once; it is never stored
 * or logged in clear. Every change is in the audit log, by `cli`.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDb } from '../store/db';
import type { SqlTarget } from '../store/sql';
import { createUser } from './accounts';
import { audit } from './context';
import { hashPassword, randomSecret, weakPassword } from './passwords';
import { createAdminStore } from './store';
import { adminRequests, ROLES, type Role } from '../../sdk/contract-admin';
import { firstProblem } from '../../sdk/contract';

export const ADMIN_USAGE = `Usage: npm run admin -- <command> [flags]

  create-user  --username U --role viewer|editor|publisher|admin [--apps demo,bank] [--password-stdin]
  list-users
  disable-user --username U
  enable-user  --username U
  set-password --username U [--password-stdin]

  --data DIR        data directory (default .slotwise-data)
  --store URL       the PostgreSQL the instances share (default $SLOTWISE_DATABASE_URL; else the directory's SQLite)
  --apps a,b        apps the user may act on (default *: all)
  --password-stdin  read the password from standard input; without it one is generated and printed once`;

export interface CliIo {
  out(line: string): void;
  /** all of standard input, read only when --password-stdin asks for it */
  stdin(): Promise<string>;
  now(): number;
}

const BY = { actor: 'cli', ip: '', userAgent: 'npm run admin' };

/** Runs one command; throws an Error with a one-line reason (the caller prints it, exits 1). */
export async function runAdminCli(argv: string[], io: CliIo): Promise<void> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    strict: true,
    allowPositionals: false,
    options: {
      data: { type: 'string' },
      store: { type: 'string' },
      username: { type: 'string' },
      role: { type: 'string' },
      apps: { type: 'string' },
      'password-stdin': { type: 'boolean' },
    },
  });
  if (!command || command === 'help' || command === '--help') return io.out(ADMIN_USAGE);
  const url = values.store ?? process.env.SLOTWISE_DATABASE_URL;
  if (url !== undefined && !/^postgres(ql)?:\/\//.test(url)) throw new Error(`--store wants a postgres:// URL, got "${url}"`);
  const target: SqlTarget = url ? { kind: 'postgres', pool: new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 10_000 }) } : { kind: 'sqlite', db: openDb(values.data ?? '.slotwise-data') };
  try {
    const store = await createAdminStore(target);
    const ctx = { store, now: io.now };
    const username = () => {
      if (!values.username) throw new Error(`${command} needs --username`);
      return values.username;
    };
    const existing = async () => {
      const u = await store.user(username());
      if (!u) throw new Error(`no user ${values.username}`);
      return u;
    };
    const password = async (user: string) => {
      if (!values['password-stdin']) return { text: randomSecret(18), generated: true };
      const text = (await io.stdin()).replace(/\r?\n$/, '');
      const weak = weakPassword(text, user);
      if (weak) throw new Error(`the password ${weak}`);
      return { text, generated: false };
    };

    switch (command) {
      case 'create-user': {
        const name = username();
        const role = values.role as Role;
        if (!ROLES.includes(role)) throw new Error(`--role wants one of ${ROLES.join(', ')}`);
        const apps = values.apps ? values.apps.split(',').map((a) => a.trim()).filter(Boolean) : ['*'];
        const checked = adminRequests().createUser.safeParse({ username: name, role, apps, password: '' });
        if (!checked.success) throw new Error(`--${firstProblem(checked.error).message}`);
        if (await store.user(name)) throw new Error(`user ${name} exists`);
        const pw = await password(name);
        await createUser(ctx, { username: name, role, apps, password: pw.text }, BY);
        io.out(`created ${role} ${name} on ${apps.join(', ')}`);
        if (pw.generated) io.out(`password (shown once): ${pw.text}`);
        return;
      }
      case 'list-users':
        for (const u of await store.users()) io.out(`${u.username}\t${u.role}\t${u.apps.join(',')}\t${u.disabled ? 'disabled' : 'active'}`);
        return;
      case 'disable-user':
      case 'enable-user': {
        const u = await existing();
        const disabled = command === 'disable-user';
        await store.atomic(async () => {
          await store.updateUser(u.username, { disabled });
          if (disabled) await store.deleteSessionsOf(u.username);
          await audit(ctx, BY, BY.actor, { app: null, action: 'user.update', target: u.username, diff: { changed: { disabled } } });
        });
        io.out(`${disabled ? 'disabled' : 'enabled'} ${u.username}`);
        return;
      }
      case 'set-password': {
        const u = await existing();
        const pw = await password(u.username);
        const hash = await hashPassword(pw.text);
        await store.atomic(async () => {
          await store.updateUser(u.username, { password: hash });
          await store.deleteSessionsOf(u.username);
          await audit(ctx, BY, BY.actor, { app: null, action: 'user.update', target: u.username, diff: { changed: { password: '(changed)' } } });
        });
        io.out(`new password for ${u.username}${pw.generated ? ` (shown once): ${pw.text}` : ''}`);
        return;
      }
      default:
        throw new Error(`unknown command "${command}"\n\n${ADMIN_USAGE}`);
    }
  } finally {
    if (target.kind === 'sqlite') target.db.close();
    else await target.pool.end();
  }
}

/** The process entry (scripts/admin.mjs builds and runs it). */
export function main(argv: string[]): void {
  const io: CliIo = {
    out: (line) => console.log(line),
    stdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    now: Date.now,
  };
  runAdminCli(argv, io).catch((error: Error) => {
    console.error(`slotwise admin: ${error.message}`);
    process.exitCode = 1;
  });
}
