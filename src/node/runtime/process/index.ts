// Public surface of the process runtime: containers as supervised host processes with, given
// root, their own namespaces and cgroups.

export { ProcessRuntime, RUNTIME_NAME, RUNTIME_VERSION, type ProcessRuntimeOptions, type ProcessRuntimeCapabilities } from './process-runtime.ts';
export { ImageNotRunnableError } from './container-spec.ts';
export { ExecTimeoutError } from './exec.ts';
export { detectCgroups, cpuSharesToWeight, type CgroupDriver } from './cgroups.ts';
export { CriLogWriter, formatNs, type CriLogWriterOptions, type LogStream } from './cri-log-writer.ts';
