import { readFileSync } from 'node:fs';
import { FastMsgpackDecoder } from './fast-msgpack-decoder.ts';
import { type AnalyticsRecord, type DecodeResult, type RecordReader, readOne } from './record.ts';
import { utf8 } from './string-interner.ts';

// Mirrors the memory layout of wasm/record-scan.ts.
const OUT = 65_536;
const OUT_TIME = OUT + 128;
const SLOTS = 16_384;
const SLOT_BYTES = 128;
const LENS = OUT + 1024;
const ARENA = LENS + SLOTS * 8;
const INPUT = 3 << 20;
/** Records longer than this go straight to the exact decoder (16 bytes stay as load slack). */
const INPUT_CAP = (1 << 20) - 16;

const ORG = 0;
const CODE = 7;
const REQ_TIME = 8;
const LAT_TOTAL = 9;
const LAT_UPSTREAM = 10;
const FLAGS = 11;
const FRESH_COUNT = 12;
const FRESH = 13;

/** Compiled once per process; every decoder instantiates its own memory. */
let compiled: WebAssembly.Module | undefined;
const wasmModule = (): WebAssembly.Module => {
  compiled ??= new WebAssembly.Module(readFileSync(new URL('./record-scan.wasm', import.meta.url)));
  return compiled;
};

interface ScanExports {
  memory: WebAssembly.Memory;
  scan(length: number): number;
}

/**
 * keymeter's gateway-record decoder: a WebAssembly fast path (wasm/record-scan.ts, ADR 0006) for
 * the records gateways write, and the exact TypeScript decoder for everything else. The fast
 * path gives up on anything it does not fully understand — invalid or unusual records, strings
 * over 128 bytes — so results (values and rejection reasons) are always the exact decoder's.
 * Strings are interned inside the module by their bytes and decoded here once per distinct
 * string, so a repeated org, API, path or key costs no allocation.
 */
export class WasmGatewayDecoder implements RecordReader {
  /** Records decoded on the fast path and on the exact one (for tests and benchmarks). */
  fast = 0;
  exactCount = 0;
  private readonly scan: (length: number) => number;
  private readonly bytes: Uint8Array;
  private readonly i32: Int32Array;
  private readonly time: Float64Array;
  private readonly lens: Int32Array;
  /** The decoded string of each intern slot (valid while the module keeps the slot's bytes). */
  private readonly strings = new Array<string>(SLOTS).fill('');

  constructor(private readonly exact: FastMsgpackDecoder = new FastMsgpackDecoder()) {
    const wasm = new WebAssembly.Instance(wasmModule()).exports as unknown as ScanExports;
    this.scan = wasm.scan;
    // The module never grows its memory, so these views stay valid.
    const buffer = wasm.memory.buffer;
    this.bytes = new Uint8Array(buffer);
    this.i32 = new Int32Array(buffer, OUT, 32);
    this.time = new Float64Array(buffer, OUT_TIME, 1);
    this.lens = new Int32Array(buffer, LENS, SLOTS);
  }

  decode(bytes: Uint8Array): DecodeResult {
    return readOne(this, bytes);
  }

  /** As FastMsgpackDecoder.read: fills `into`, returns why the record is rejected or undefined. */
  read(bytes: Uint8Array, into: AnalyticsRecord): string | undefined {
    const length = bytes.length;
    if (length > INPUT_CAP) return this.readExact(bytes, into);
    this.bytes.set(bytes, INPUT);
    const verdict = this.scan(length);
    const o = this.i32;
    // Slots refilled by this scan are decoded even when it gave up: their old strings are gone.
    const fresh = o[FRESH_COUNT] as number;
    for (let k = 0; k < fresh; k++) this.refresh(o[FRESH + k] as number);
    if (verdict !== 0) return this.readExact(bytes, into);
    this.fast++;
    const s = this.strings;
    into.orgId = s[o[ORG] as number] as string;
    into.apiId = str(s, o[1] as number);
    into.apiName = str(s, o[2] as number);
    into.path = str(s, o[3] as number);
    into.method = str(s, o[4] as number);
    into.apiKey = str(s, o[5] as number);
    into.oauthId = str(s, o[6] as number);
    into.responseCode = o[CODE] as number;
    into.requestTime = o[REQ_TIME] as number;
    into.latencyTotal = o[LAT_TOTAL] as number;
    into.latencyUpstream = o[LAT_UPSTREAM] as number;
    into.timestampMs = this.time[0] as number;
    const flags = o[FLAGS] as number;
    into.trackPath = (flags & 1) !== 0;
    into.isGraphQL = (flags & 2) !== 0;
    into.isMCP = (flags & 4) !== 0;
    return undefined;
  }

  private readExact(bytes: Uint8Array, into: AnalyticsRecord): string | undefined {
    this.exactCount++;
    return this.exact.read(bytes, into);
  }

  private refresh(slot: number): void {
    const at = ARENA + slot * SLOT_BYTES;
    // The module stores each slot's byte length + 1 (0 = empty).
    const length = (this.lens[slot] as number) - 1;
    this.strings[slot] = utf8.decode(this.bytes.subarray(at, at + length));
  }
}

const str = (strings: string[], slot: number): string => (slot < 0 ? '' : (strings[slot] as string));
