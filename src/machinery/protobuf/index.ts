// Public surface of the Kubernetes protobuf codec (application/vnd.kubernetes.protobuf): envelope,
// messages from the field table, watch frames.

export { decodeKubeProtobuf, decodeMessage, decodeEnvelope, hasKubeProtobufPrefix, KUBE_PROTOBUF_PREFIX, type DecodedKubeObject } from './decode.ts';
export { encodeKubeProtobuf, encodeMessage, encodeWatchFrame, envelope, canEncodeKubeProtobuf } from './encode.ts';
export { messageForKind } from './schema.ts';
export { ProtobufError } from './well-known.ts';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
export const PROTOBUF_WATCH_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf;stream=watch';
