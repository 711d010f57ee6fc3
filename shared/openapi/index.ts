export { DOCUMENTED_OPERATIONS, type DocumentedOperation } from './adminOperations';
export { buildOpenApiDocument, openApiPath, ROUTE_PREFIX } from './openApiDocument';
export { SCHEMAS, type SchemaObject } from './schemas';
