/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * The SDKs that only invocations need (the Azure storage clients, @azure/identity with MSAL, jose),
 * loaded on first use instead of when a function file is loaded: registering the functions at cold
 * start then does not evaluate them. Types stay static (`import type`); `require` is cached by Node
 * (and by esbuild's module wrappers in the deployment bundle), so each SDK is evaluated once.
 */
export type DataTablesSdk = typeof import('@azure/data-tables');
export type StorageQueueSdk = typeof import('@azure/storage-queue');
export type IdentitySdk = typeof import('@azure/identity');
export type JoseSdk = typeof import('jose');

export function dataTablesSdk(): DataTablesSdk {
  return require('@azure/data-tables') as DataTablesSdk;
}

export function storageQueueSdk(): StorageQueueSdk {
  return require('@azure/storage-queue') as StorageQueueSdk;
}

export function identitySdk(): IdentitySdk {
  return require('@azure/identity') as IdentitySdk;
}

export function joseSdk(): JoseSdk {
  return require('jose') as JoseSdk;
}

/** `odata` from @azure/data-tables (escapes values in a filter), loading the SDK when first called. */
export function odata(strings: TemplateStringsArray, ...values: unknown[]): string {
  return dataTablesSdk().odata(strings, ...values);
}
