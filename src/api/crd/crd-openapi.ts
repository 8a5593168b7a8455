// The OpenAPI schema of CustomResourceDefinition itself (the generated fact tables do not cover
// apiextensions-apiserver): what `kubectl explain crd` shows, and what strict field validation and
// pruning of CRD objects check against. Free-form parts (schemas, webhook config) stay open.

import type { CrdSchema } from './types.ts';

const str = (description: string): CrdSchema => ({ type: 'string', description });
const bool = (description: string): CrdSchema => ({ type: 'boolean', description });
const strings = (description: string): CrdSchema => ({ type: 'array', description, items: { type: 'string' } });

const NAMES: CrdSchema = {
  type: 'object',
  description: 'CustomResourceDefinitionNames indicates the names to serve this CustomResourceDefinition',
  required: ['plural', 'kind'],
  properties: {
    plural: str('plural is the plural name of the resource to serve. The custom resources are served under `/apis/<group>/<version>/.../<plural>`. Must match the name of the CustomResourceDefinition (in the form `<names.plural>.<group>`). Must be all lowercase.'),
    singular: str('singular is the singular name of the resource. It must be all lowercase. Defaults to lowercased `kind`.'),
    shortNames: strings('shortNames are short names for the resource, exposed in API discovery documents, and used by clients to support invocations like `kubectl get <shortname>`. It must be all lowercase.'),
    kind: str('kind is the serialized kind of the resource. It is normally CamelCase and singular. Custom resource instances will use this value as the `kind` attribute in API calls.'),
    listKind: str('listKind is the serialized kind of the list for this resource. Defaults to "`kind`List".'),
    categories: strings('categories is a list of grouped resources this custom resource belongs to (e.g. \'all\'). This is published in API discovery documents, and used by clients to support invocations like `kubectl get all`.'),
  },
};

const VERSION: CrdSchema = {
  type: 'object',
  description: 'CustomResourceDefinitionVersion describes a version for CRD.',
  required: ['name', 'served', 'storage'],
  properties: {
    name: str('name is the version name, e.g. “v1”, “v2beta1”, etc. The custom resources are served under this version at `/apis/<group>/<version>/...` if `served` is true.'),
    served: bool('served is a flag enabling/disabling this version from being served via REST APIs'),
    storage: bool('storage indicates this version should be used when persisting custom resources to storage. There must be exactly one version with storage=true.'),
    deprecated: bool('deprecated indicates this version of the custom resource API is deprecated.'),
    deprecationWarning: str('deprecationWarning overrides the default warning returned to API clients.'),
    schema: {
      type: 'object',
      description: 'schema describes the schema used for validation, pruning, and defaulting of this version of the custom resource.',
      properties: {
        openAPIV3Schema: {
          type: 'object',
          description: 'openAPIV3Schema is the OpenAPI v3 schema to use for validation and pruning.',
          'x-kubernetes-preserve-unknown-fields': true,
        },
      },
    },
    subresources: {
      type: 'object',
      description: 'subresources specify what subresources this version of the defined custom resource have.',
      properties: {
        status: { type: 'object', description: 'status indicates the custom resource should serve a `/status` subresource.', 'x-kubernetes-preserve-unknown-fields': true },
        scale: {
          type: 'object',
          description: 'scale indicates the custom resource should serve a `/scale` subresource that returns an `autoscaling/v1` Scale object.',
          required: ['specReplicasPath', 'statusReplicasPath'],
          properties: {
            specReplicasPath: str('specReplicasPath defines the JSON path inside of a custom resource that corresponds to Scale `spec.replicas`.'),
            statusReplicasPath: str('statusReplicasPath defines the JSON path inside of a custom resource that corresponds to Scale `status.replicas`.'),
            labelSelectorPath: str('labelSelectorPath defines the JSON path inside of a custom resource that corresponds to Scale `status.selector`.'),
          },
        },
      },
    },
    additionalPrinterColumns: {
      type: 'array',
      description: 'additionalPrinterColumns specifies additional columns returned in Table output. If no columns are specified, a single column displaying the age of the custom resource is used.',
      items: {
        type: 'object',
        required: ['name', 'type', 'jsonPath'],
        properties: {
          name: str('name is a human readable name for the column.'),
          type: str('type is an OpenAPI type definition for this column.'),
          format: str('format is an optional OpenAPI type definition for this column.'),
          description: str('description is a human readable description of this column.'),
          priority: { type: 'integer', format: 'int32', description: 'priority is an integer defining the relative importance of this column compared to others. Lower numbers are considered higher priority.' },
          jsonPath: str('jsonPath is a simple JSON path (i.e. with array notation) which is evaluated against each custom resource to produce the value for this column.'),
        },
      },
    },
    selectableFields: {
      type: 'array',
      description: 'selectableFields specifies paths to fields that may be used as field selectors.',
      items: { type: 'object', required: ['jsonPath'], properties: { jsonPath: str('jsonPath is a simple JSON path which is evaluated against each custom resource to produce a field selector value.') } },
    },
  },
};

export const CRD_OPENAPI_SCHEMA: CrdSchema = {
  type: 'object',
  description: 'CustomResourceDefinition represents a resource that should be exposed on the API server.  Its name MUST be in the format <.spec.name>.<.spec.group>.',
  required: ['spec'],
  properties: {
    spec: {
      type: 'object',
      description: 'spec describes how the user wants the resources to appear',
      required: ['group', 'names', 'scope', 'versions'],
      properties: {
        group: str('group is the API group of the defined custom resource. The custom resources are served under `/apis/<group>/...`. Must match the name of the CustomResourceDefinition (in the form `<names.plural>.<group>`).'),
        names: NAMES,
        scope: str('scope indicates whether the defined custom resource is cluster- or namespace-scoped. Allowed values are `Cluster` and `Namespaced`.'),
        versions: { type: 'array', description: 'versions is the list of all API versions of the defined custom resource.', items: VERSION },
        conversion: {
          type: 'object',
          description: 'conversion defines conversion settings for the CRD. Only strategy None is supported by this server.',
          properties: {
            strategy: str('strategy specifies how custom resources are converted between versions. Allowed values are: - `"None"`: The converter only change the apiVersion and would not touch any other field in the custom resource.'),
            webhook: { type: 'object', description: 'webhook describes how to call the conversion webhook (not supported by this server).', 'x-kubernetes-preserve-unknown-fields': true },
          },
        },
        preserveUnknownFields: bool('preserveUnknownFields indicates that object fields which are not specified in the OpenAPI schema should be preserved when persisting to storage. Must be false in apiextensions.k8s.io/v1.'),
      },
    },
    status: {
      type: 'object',
      description: 'status indicates the actual state of the CustomResourceDefinition',
      properties: {
        conditions: {
          type: 'array',
          description: 'conditions indicate state for particular aspects of a CustomResourceDefinition',
          items: {
            type: 'object',
            required: ['type', 'status'],
            properties: {
              type: str('type is the type of the condition. Types include Established, NamesAccepted and Terminating.'),
              status: str('status is the status of the condition. Can be True, False, Unknown.'),
              lastTransitionTime: { type: 'string', format: 'date-time', description: 'lastTransitionTime last time the condition transitioned from one status to another.' },
              reason: str('reason is a unique, one-word, CamelCase reason for the condition\'s last transition.'),
              message: str('message is a human-readable message indicating details about last transition.'),
            },
          },
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['type'],
        },
        acceptedNames: { ...NAMES, description: 'acceptedNames are the names that are actually being used to serve discovery.' },
        storedVersions: strings('storedVersions lists all versions of CustomResources that were ever persisted.'),
      },
    },
  },
};
