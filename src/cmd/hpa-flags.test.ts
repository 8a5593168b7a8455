// The controller manager's --horizontal-pod-autoscaler-* flags become the HPA controller's options.

import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { hpaOptions } from './controllers.ts';

describe('hpaOptions', () => {
  it('turns durations and the tolerance into options, leaving absent flags to the defaults', () => {
    assert.deepEqual(hpaOptions({}), {});
    assert.deepEqual(
      hpaOptions({ horizontalPodAutoscalerSyncPeriod: '5s', horizontalPodAutoscalerDownscaleStabilization: '1m', horizontalPodAutoscalerTolerance: '0.05', horizontalPodAutoscalerCpuInitializationPeriod: '0s' }),
      { syncPeriodMs: 5000, downscaleStabilizationMs: 60_000, tolerance: 0.05, cpuInitializationPeriodMs: 0 },
    );
  });

  it('refuses a zero sync period and a negative tolerance', () => {
    assert.throws(() => hpaOptions({ horizontalPodAutoscalerSyncPeriod: '0s' }), /--horizontal-pod-autoscaler-sync-period/);
    assert.throws(() => hpaOptions({ horizontalPodAutoscalerTolerance: '-1' }), /--horizontal-pod-autoscaler-tolerance "-1"/);
  });
});
