import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseContainerLogRotation } from './agent.ts';

describe('--container-log-max-size and --container-log-max-files', () => {
  it('reads a byte quantity and a file count', () => {
    assert.deepEqual(parseContainerLogRotation('10Mi', '5'), { maxBytes: 10 * 1024 * 1024, maxFiles: 5 });
    assert.deepEqual(parseContainerLogRotation('1k', '2'), { maxBytes: 1000, maxFiles: 2 });
  });

  it('refuses sizes that are not positive quantities and fewer than two files, as the kubelet does', () => {
    assert.throws(() => parseContainerLogRotation('ten', '5'), /invalid --container-log-max-size "ten"/);
    assert.throws(() => parseContainerLogRotation('0', '5'), /invalid --container-log-max-size "0"/);
    assert.throws(() => parseContainerLogRotation('10Mi', '1'), /invalid --container-log-max-files "1"/);
    assert.throws(() => parseContainerLogRotation('10Mi', 'x'), /invalid --container-log-max-files "x"/);
  });
});
