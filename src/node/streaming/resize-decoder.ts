// The resize stream carries JSON objects back to back ({"Width":80,"Height":24}{"Width":…}), as
// Go's json.Encoder writes them, split across frames anywhere. This finds each whole object.

import type { TerminalSize } from './remotecommand.ts';

export class ResizeDecoder {
  #text = '';
  readonly #listeners: ((s: TerminalSize) => void)[] = [];
  #last: TerminalSize | undefined;

  /** Listeners added late still get the latest size (kubectl sends one right at the start). */
  on(cb: (s: TerminalSize) => void): void {
    this.#listeners.push(cb);
    if (this.#last) cb(this.#last);
  }

  push(data: Buffer): void {
    this.#text += data.toString('utf8');
    for (;;) {
      const start = this.#text.indexOf('{');
      if (start < 0) {
        this.#text = '';
        return;
      }
      const end = this.#text.indexOf('}', start);
      if (end < 0) {
        this.#text = this.#text.slice(start);
        return;
      }
      const json = this.#text.slice(start, end + 1);
      this.#text = this.#text.slice(end + 1);
      try {
        const v = JSON.parse(json) as { Width?: unknown; Height?: unknown };
        const size = { width: Number(v.Width) || 0, height: Number(v.Height) || 0 };
        this.#last = size;
        for (const l of this.#listeners) l(size);
      } catch {
        // Not a size: skip it.
      }
    }
  }
}
