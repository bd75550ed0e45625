/**
 * Compiles the WebAssembly fast path of the gateway-record decoder (wasm/record-scan.ts, ADR 0006)
 * into src/record/record-scan.wasm, which is committed so that installs need no compiler.
 * A test rebuilds it and fails if the committed module is not the build of its source.
 * Run: npm run build:wasm
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

export const SOURCE = fileURLToPath(new URL('../wasm/record-scan.ts', import.meta.url));
export const MODULE = fileURLToPath(new URL('../src/record/record-scan.wasm', import.meta.url));

/** Compiles the module and returns its bytes; compiler diagnostics become the error message. */
export async function buildRecordScan(): Promise<Uint8Array> {
  let binary: Uint8Array | undefined;
  let diagnostics = '';
  const { error } = await asc.main(
    // No GC and no runtime checks: the module only touches its own fixed memory layout.
    [SOURCE, '-O3', '--runtime', 'stub', '--noAssert', '--initialMemory', '64', '--outFile', 'out.wasm'],
    {
      writeFile: (name, contents) => {
        if (name.endsWith('.wasm') && typeof contents !== 'string') binary = contents;
      },
      stderr: {
        write: (chunk: string | Uint8Array) => {
          diagnostics += String(chunk);
          return true;
        },
      },
    },
  );
  if (error || binary === undefined) throw new Error(`asc failed: ${error?.message ?? ''}\n${diagnostics}`);
  return binary;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const bytes = await buildRecordScan();
  writeFileSync(MODULE, bytes);
  console.log(`wrote ${MODULE} (${bytes.length} bytes)`);
}
