/**
 * What the console's browser tests share: an operator account on the test server, a console tab
 * signed in as it, and axe-core run inside the page (its source evaluated there: the console's CSP
 * allows no injected script tag, and evaluation from the driver is not a script tag).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import type { TestServer } from '../helpers/server';

export const PASSWORD = 'correct horse battery staple';
/** the console is for desktops: at least 1024 px wide */
export const DESKTOP = { width: 1280, height: 860 };

type Role = 'viewer' | 'editor' | 'publisher' | 'admin';

interface AdminSide {
  createUser(input: { username: string; role: Role; password: string }): Promise<void>;
}

/** Creates an account on the server's admin side (as `npm start` and the CLI do). */
export async function account(server: TestServer, username: string, role: Role = 'admin'): Promise<void> {
  // read structurally: the console is built against the admin API of issue 12 (server-stub/admin/)
  const admin = (server.handle() as unknown as { admin?: AdminSide }).admin;
  if (!admin) throw new Error('this server-stub has no admin API (server-stub/admin/, issue 12): the console has nothing to talk to');
  await admin.createUser({ username, role, password: PASSWORD });
}

/** Opens the console in `page`, signs in, and waits for the first screen. */
export async function signIn(page: Page, base: string, username: string, password = PASSWORD): Promise<void> {
  await page.goto(`${base}/console/`, { waitUntil: 'load' });
  await page.getByLabel(/^(Username|用户名)$/).fill(username);
  await page.getByLabel(/^(Password|密码)$/).fill(password);
  await page.getByRole('button', { name: /^(Sign in|登录)$/ }).click();
  await page.locator('nav.side').waitFor();
}

let axeSource: string | undefined;

export interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core's serious and critical violations on the page as it is now (WCAG 2.1 A and AA). */
export async function seriousViolations(page: Page): Promise<Violation[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ passes: unknown[]; violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    // an axe that checked nothing would pass anything
    if (r.passes.length === 0) throw new Error('axe-core ran no checks');
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
