// The part of the WebAssembly JS API keymeter uses. TypeScript declares it only in the DOM and
// WebWorker libs, and @types/node 20 does not declare it at all; Node 20 has it built in.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
  }
}
