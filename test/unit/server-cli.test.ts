// @vitest-environment node
import { describe, expect, test } from 'vitest';
import { parseCli } from '../../server-stub/cli';

describe('server-stub CLI flags', () => {
  test('defaults: port 8787 on loopback, data in .slotwise-data, demo history on', () => {
    expect(parseCli([])).toEqual({ help: false, options: { port: 8787, host: '127.0.0.1', dataDir: '.slotwise-data', demoData: true } });
  });

  test('every flag', () => {
    const cli = parseCli([
      '--port', '8799', '--data', '/tmp/sw', '--host', '0.0.0.0', '--catalog', 'items.json', '--catalog-size', '10000',
      '--origin', 'https://bank.example', '--origin', 'http://localhost:*', '--no-rate-limit', '--no-demo-data',
    ]);
    expect(cli).toEqual({
      help: false,
      options: {
        port: 8799,
        host: '0.0.0.0',
        dataDir: '/tmp/sw',
        demoData: false,
        catalogFile: 'items.json',
        catalogSize: 10_000,
        origins: ['https://bank.example', 'http://localhost:*'],
        rateLimit: false,
      },
    });
    expect(parseCli(['--port=0'])).toMatchObject({ options: { port: 0 } });
    expect(parseCli(['--time-zone', 'Europe/Berlin'])).toMatchObject({ options: { timeZone: 'Europe/Berlin' } });
    expect(parseCli(['--help'])).toEqual({ help: true });
    expect(parseCli(['--admin-password', 'a long pass phrase'])).toMatchObject({ adminPassword: 'a long pass phrase' });
    expect(parseCli([])).not.toHaveProperty('adminPassword');
  });

  test('--store: sqlite or a PostgreSQL URL, from the flag or SLOTWISE_DATABASE_URL (the flag wins); --pool sizes its pool', () => {
    const url = 'postgres://slotwise:pw@db.internal:5432/slotwise';
    expect(parseCli(['--store', url, '--pool', '20'])).toMatchObject({ options: { store: url, postgres: { poolSize: 20 } } });
    expect(parseCli([], { SLOTWISE_DATABASE_URL: url })).toMatchObject({ options: { store: url } });
    expect(parseCli(['--store', 'sqlite'], { SLOTWISE_DATABASE_URL: url })).toMatchObject({ options: { store: 'sqlite' } });
    expect(parseCli([], { SLOTWISE_DATABASE_URL: '' })).toEqual(parseCli([]));
    expect(() => parseCli(['--store', 'mysql://x'])).toThrow(/--store/);
    expect(() => parseCli(['--pool', '0'])).toThrow(/--pool/);
  });

  test('bad flags are errors naming the flag', () => {
    expect(() => parseCli(['--port', 'eighty'])).toThrow(/--port/);
    expect(() => parseCli(['--port', '70000'])).toThrow(/--port/);
    expect(() => parseCli(['--catalog-size', '-5'])).toThrow();
    expect(() => parseCli(['--catalog-size', '0'])).toThrow(/--catalog-size/);
    expect(() => parseCli(['--prot', '1'])).toThrow(/prot/);
    expect(() => parseCli(['--time-zone', 'Mars/Olympus'])).toThrow(/--time-zone/);
    expect(() => parseCli(['stray'])).toThrow();
  });
});
