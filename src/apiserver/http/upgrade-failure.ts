// How a request to switch protocols is refused: there is no response object, only the raw
// socket, so the Status is written as a complete HTTP/1.1 response and the connection closed.

import type { Duplex } from 'node:stream';
import { internalError, isStatusError, type Status } from '../../machinery/status-error.ts';

const REASON_PHRASES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };

export function upgradeFailure(socket: Duplex, err: unknown, onUnexpected?: (err: unknown) => void): number {
  let status: Status;
  if (isStatusError(err)) status = err.status;
  else {
    onUnexpected?.(err);
    status = internalError('an unexpected error occurred; see the server log').status;
  }
  const body = Buffer.from(JSON.stringify(status));
  if (!socket.writable) return status.code;
  socket.end(Buffer.concat([
    Buffer.from(`HTTP/1.1 ${status.code} ${REASON_PHRASES[status.code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`),
    body,
  ]));
  return status.code;
}
