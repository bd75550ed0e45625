import { readFileSync } from 'node:fs';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { buildRecordScan, MODULE } from '../../scripts/build-wasm.ts';
import { rec } from '../../test/helpers/records.ts';
import { takeRecords } from '../sim/gateway-traffic.ts';
import { FastMsgpackDecoder } from './fast-msgpack-decoder.ts';
import { encodeGatewayRecord, gatewayObject } from './gateway-encoder.ts';
import { WasmGatewayDecoder } from './wasm-decoder.ts';

const packr = new Packr({ useRecords: false, variableMapSize: true });
const exact = new FastMsgpackDecoder();

describe('WebAssembly gateway-record decoder', () => {
  it('is built from its source: the committed module is what npm run build:wasm makes', async () => {
    expect(Buffer.from(await buildRecordScan()).equals(readFileSync(MODULE))).toBe(true);
  }, 30_000);

  it('reads simulated gateway traffic on the fast path, exactly as the exact decoder', () => {
    const wasm = new WasmGatewayDecoder();
    const records = takeRecords(3, { startMs: Date.UTC(2024, 5, 1), intervalMs: 10, rawBytes: 400 }, 5000);
    for (const { bytes } of records) expect(wasm.decode(bytes)).toEqual(exact.decode(bytes));
    expect(wasm.fast).toBe(5000);
  });

  it('keeps strings right when its cache slots are evicted and refilled (more strings than slots)', () => {
    const wasm = new WasmGatewayDecoder();
    const inputs = Array.from({ length: 40_000 }, (_, i) =>
      encodeGatewayRecord(rec({ apiKey: `key-${i}-${(i * 7919) % 10_007}`, path: `/p/${i % 997}` })),
    );
    // Twice through: the second round finds most slots holding other strings by then.
    for (const bytes of [...inputs, ...inputs.slice(0, 5000)]) {
      expect(wasm.decode(bytes)).toEqual(exact.decode(bytes));
    }
    expect(wasm.fast).toBeGreaterThan(40_000);
  });

  it('forgets strings it cached while reading a record it then handed to the exact decoder', () => {
    const wasm = new WasmGatewayDecoder();
    const first = encodeGatewayRecord(rec({ apiKey: 'key-a', path: '/a' }));
    expect(wasm.decode(first)).toEqual(exact.decode(first));
    // Same cache slots, new strings, then a field the fast path does not take (a float code, last).
    const obj = gatewayObject(rec({ apiKey: 'key-b', path: '/b' }));
    const handedOver = packr.pack({ ...obj, MCPStats: undefined, ResponseCode: 200.5 });
    expect(wasm.decode(handedOver)).toEqual(exact.decode(handedOver));
    const next = encodeGatewayRecord(rec({ apiKey: 'key-b', path: '/b' }));
    expect(wasm.decode(next)).toMatchObject({ ok: true, record: { apiKey: 'key-b', path: '/b' } });
  });

  it('hands over strings longer than its cache slots, and records longer than its input area', () => {
    const wasm = new WasmGatewayDecoder();
    const long = encodeGatewayRecord(rec({ path: `/${'x'.repeat(300)}` }));
    expect(wasm.decode(long)).toEqual(exact.decode(long));
    const huge = encodeGatewayRecord(rec(), { rawRequest: 'r'.repeat(2 << 20) });
    expect(wasm.decode(huge)).toMatchObject({ ok: true, record: rec() });
    expect(wasm.exactCount).toBe(2);
    expect(wasm.fast).toBe(0);
  });
});
