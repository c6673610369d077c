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
    expect(parseCli(['--help'])).toEqual({ help: true });
    expect(parseCli(['--admin-password', 'a long pass phrase'])).toMatchObject({ adminPassword: 'a long pass phrase' });
    expect(parseCli([])).not.toHaveProperty('adminPassword');
  });

  test('bad flags are errors naming the flag', () => {
    expect(() => parseCli(['--port', 'eighty'])).toThrow(/--port/);
    expect(() => parseCli(['--port', '70000'])).toThrow(/--port/);
    expect(() => parseCli(['--catalog-size', '-5'])).toThrow();
    expect(() => parseCli(['--catalog-size', '0'])).toThrow(/--catalog-size/);
    expect(() => parseCli(['--prot', '1'])).toThrow(/prot/);
    expect(() => parseCli(['stray'])).toThrow();
  });
});
