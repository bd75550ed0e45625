import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'keymeter-main-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the real `src/main.ts`; resolves on exit, or once `until` matches stdout (then SIGTERMs it). */
function run(env: Record<string, string>, until?: RegExp): Promise<Run> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH ?? '', KEYMETER_PORT: '0', KEYMETER_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const check = () => {
      if (until?.test(stdout)) child.kill('SIGTERM');
    };
    child.stdout?.on('data', (d) => {
      stdout += d;
      check();
    });
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the keymeter process', () => {
  it.each([
    ['KEYMETER_PORT', 'x'],
    ['KEYMETER_TIMEZONE', 'Nowhere/Land'],
    ['KEYMETER_STORE', 'oracle://db'],
  ])('stops with a message naming %s when it is bad', async (name, value) => {
    const r = await run({ [name]: value });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(name);
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
  });

  it('prints a generated admin secret once, on the first start only, and guards the zone', async () => {
    const store = `sqlite:${join(dir, 'first.db')}`;
    const first = await run({ KEYMETER_STORE: store }, /={10,}\n$/);
    const secret = /export KEYMETER_ADMIN=(\S+)/.exec(first.stdout)?.[1];
    expect(secret).toMatch(/^[\w-]{24,}$/);
    expect(first.stdout).toContain('/admin/organisations');
    expect(first.stdout).toContain('/api/activity/keys/endpoint/');
    const second = await run({ KEYMETER_STORE: store, KEYMETER_LOG_LEVEL: 'info' }, /listening/);
    expect(second.stdout).not.toContain('admin secret');
    expect(second.stdout).not.toContain(secret);
    const otherZone = await run({ KEYMETER_STORE: store, KEYMETER_TIMEZONE: 'Asia/Kolkata' });
    expect(otherZone.code).toBe(2);
    expect(otherZone.stderr).toContain('KEYMETER_TIMEZONE');
  });
});
