// The final word of an exec or attach on the error stream. v4+ send a metav1.Status: Success, or
// Failure with reason NonZeroExitCode and the code as an ExitCode cause (kubectl exits with it);
// v1-v3 clients read plain text, and any text at all means failure.

export type ExecOutcome = { exitCode: number } | { error: string };

export interface ExecStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes: { reason: string; message: string }[] };
}

export function execStatus(outcome: ExecOutcome): ExecStatus {
  if ('error' in outcome) return { metadata: {}, status: 'Failure', message: outcome.error, reason: 'InternalError', code: 500 };
  if (outcome.exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: exit status ${outcome.exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(outcome.exitCode) }] },
  };
}

/** What goes on the error stream: JSON for v4+, the message (or nothing on success) before. */
export function encodeOutcome(outcome: ExecOutcome, statusJson: boolean): Buffer {
  const s = execStatus(outcome);
  if (statusJson) return Buffer.from(JSON.stringify(s));
  return Buffer.from(s.status === 'Success' ? '' : (s.message ?? 'error'));
}
