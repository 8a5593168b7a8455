// Public surface of the OpenAPI documents: v3 under /openapi/v3, Swagger 2.0 (JSON or gnostic
// protobuf) under /openapi/v2.

export { OpenApiService, type OpenApiResponse } from './service.ts';
export {
  openapiV3Document, openapiV3Root, groupVersionKey, parseGroupVersionKey, servedGroupVersions, contentHash,
  DEFAULT_INFO, type DocumentInfo, type GroupVersion,
} from './document.ts';
export { PATCH_CONTENT_TYPES } from './paths.ts';
export { customResourceSchema, META_COMPONENTS } from './components.ts';
export type { OpenApiResource, OpenApiDocument, OpenApiRoot, Operation, PathItem, Parameter } from './types.ts';
export { OpenApiV2Service, negotiateOpenApiV2, OPENAPI_V2_PROTOBUF, type OpenApiV2Format, type OpenApiV2Response } from './v2-service.ts';
export { openapiV2Document, type SwaggerDocument } from './v2-document.ts';
export { encodeOpenApiV2 } from './v2-protobuf.ts';
