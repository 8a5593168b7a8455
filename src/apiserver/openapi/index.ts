// Public surface of the OpenAPI v3 documents served under /openapi/v3.

export { OpenApiService, type OpenApiResponse } from './service.ts';
export {
  openapiV3Document, openapiV3Root, groupVersionKey, parseGroupVersionKey, servedGroupVersions, contentHash,
  DEFAULT_INFO, type DocumentInfo, type GroupVersion,
} from './document.ts';
export { PATCH_CONTENT_TYPES } from './paths.ts';
export { customResourceSchema, META_COMPONENTS } from './components.ts';
export type { OpenApiResource, OpenApiDocument, OpenApiRoot, Operation, PathItem, Parameter } from './types.ts';
