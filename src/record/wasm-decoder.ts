import { readFileSync } from 'node:fs';
import { FastMsgpackDecoder } from './fast-msgpack-decoder.ts';
import { type AnalyticsRecord, type DecodeResult, type RecordReader, readOne } from './record.ts';
import { utf8 } from './string-interner.ts';

/** The module's memory layout and result slots, as it exports them (wasm/record-scan.ts). */
const LAYOUT = [
  'OUT',
  'OUT_TIME',
  'SLOTS',
  'SLOT_BYTES',
  'LENS',
  'ARENA',
  'INPUT',
  'API_ID',
  'API_NAME',
  'PATH',
  'METHOD',
  'KEY',
  'OAUTH',
  'ORG',
  'CODE',
  'REQ_TIME',
  'LAT_TOTAL',
  'LAT_UPSTREAM',
  'FLAGS',
  'FRESH_COUNT',
  'FRESH',
] as const;
type Layout = Record<(typeof LAYOUT)[number], number>;

/** Compiled once per process; every decoder instantiates its own memory. */
let compiled: WebAssembly.Module | undefined;
const wasmModule = (): WebAssembly.Module => {
  compiled ??= new WebAssembly.Module(readFileSync(new URL('./record-scan.wasm', import.meta.url)));
  return compiled;
};

type ScanExports = { memory: WebAssembly.Memory; scan(length: number): number } & Record<
  (typeof LAYOUT)[number],
  { value: number }
>;

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
  private readonly at: Layout;
  /** Records longer than this go straight to the exact decoder (16 bytes stay as load slack). */
  private readonly inputCap: number;
  private readonly bytes: Uint8Array;
  private readonly i32: Int32Array;
  private readonly time: Float64Array;
  private readonly lens: Int32Array;
  /** The decoded string of each intern slot (valid while the module keeps the slot's bytes). */
  private readonly strings: string[];

  constructor(private readonly exact: FastMsgpackDecoder = new FastMsgpackDecoder()) {
    const wasm = new WebAssembly.Instance(wasmModule()).exports as unknown as ScanExports;
    this.scan = wasm.scan;
    const at = Object.fromEntries(LAYOUT.map((name) => [name, wasm[name].value])) as Layout;
    this.at = at;
    // The module never grows its memory, so these views stay valid.
    const buffer = wasm.memory.buffer;
    this.inputCap = buffer.byteLength - at.INPUT - 16;
    this.bytes = new Uint8Array(buffer);
    this.i32 = new Int32Array(buffer, at.OUT, 32);
    this.time = new Float64Array(buffer, at.OUT_TIME, 1);
    this.lens = new Int32Array(buffer, at.LENS, at.SLOTS);
    this.strings = new Array<string>(at.SLOTS).fill('');
  }

  decode(bytes: Uint8Array): DecodeResult {
    return readOne(this, bytes);
  }

  /** As FastMsgpackDecoder.read: fills `into`, returns why the record is rejected or undefined. */
  read(bytes: Uint8Array, into: AnalyticsRecord): string | undefined {
    const length = bytes.length;
    const at = this.at;
    if (length > this.inputCap) return this.readExact(bytes, into);
    this.bytes.set(bytes, at.INPUT);
    const verdict = this.scan(length);
    const o = this.i32;
    // Slots refilled by this scan are decoded even when it gave up: their old strings are gone.
    const fresh = o[at.FRESH_COUNT] as number;
    for (let k = 0; k < fresh; k++) this.refresh(o[at.FRESH + k] as number);
    if (verdict !== 0) return this.readExact(bytes, into);
    this.fast++;
    const s = this.strings;
    into.orgId = s[o[at.ORG] as number] as string;
    into.apiId = str(s, o[at.API_ID] as number);
    into.apiName = str(s, o[at.API_NAME] as number);
    into.path = str(s, o[at.PATH] as number);
    into.method = str(s, o[at.METHOD] as number);
    into.apiKey = str(s, o[at.KEY] as number);
    into.oauthId = str(s, o[at.OAUTH] as number);
    into.responseCode = o[at.CODE] as number;
    into.requestTime = o[at.REQ_TIME] as number;
    into.latencyTotal = o[at.LAT_TOTAL] as number;
    into.latencyUpstream = o[at.LAT_UPSTREAM] as number;
    into.timestampMs = this.time[0] as number;
    const flags = o[at.FLAGS] as number;
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
    const start = this.at.ARENA + slot * this.at.SLOT_BYTES;
    // The module stores each slot's byte length + 1 (0 = empty).
    const length = (this.lens[slot] as number) - 1;
    this.strings[slot] = utf8.decode(this.bytes.subarray(start, start + length));
  }
}

const str = (strings: string[], slot: number): string => (slot < 0 ? '' : (strings[slot] as string));
