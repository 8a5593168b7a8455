// Public surface of the client layer: the REST client and kubeconfig loading, informers with
// their indexed cache and listers, the rate-limited workqueue, the event recorder, Lease-based
// leader election, and the Clock those take.

export { realClock, FakeClock, sleep, type Clock, type TimerHandle } from './clock.ts';
export { loadKubeconfig, type ClientConfig } from './kubeconfig.ts';
export {
  RestClient,
  resourcePath,
  toStatusError,
  type DeleteOptions,
  type Exchange,
  type Transport,
  type ListOptions,
  type ObjectList,
  type PatchType,
  type ResourceRef,
  type WatchOptions,
  type WriteOptions,
} from './rest-client.ts';
export { readWatchEvents, type WatchEvent } from './watch-stream.ts';
export { Indexer, Lister, NAMESPACE_INDEX, namespaceIndex, objectKey, splitKey, type IndexFunc } from './indexer.ts';
export { SharedInformerFactory, type ResourceType, type SharedInformerOptions } from './informer-factory.ts';
export { Informer, listWatchFor, type EventHandlers, type InformerOptions, type ListWatch } from './informer.ts';
export {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  ItemExponentialRateLimiter,
  MaxOfRateLimiter,
  type ControllerRateLimiterOptions,
  type RateLimiter,
} from './rate-limiter.ts';
export { WorkQueue, type WorkQueueOptions } from './workqueue.ts';
export { EventRecorder, type EventRecorderOptions, type EventSink, type EventSource, type EventType } from './event-recorder.ts';
export {
  LeaderElector,
  microTime,
  restLeaseClient,
  type Lease,
  type LeaseClient,
  type LeaseSpec,
  type LeaderElectionConfig,
} from './leader-election.ts';
