/* eslint-disable @typescript-eslint/no-require-imports */
import type * as DataTables from '@azure/data-tables';
import type * as StorageQueue from '@azure/storage-queue';
import type * as Identity from '@azure/identity';
import type * as Jose from 'jose';
/**
 * The SDKs that only invocations need (the Azure storage clients, @azure/identity with MSAL, jose),
 * loaded on first use instead of when a function file is loaded: registering the functions at cold
 * start then does not evaluate them. Types stay static (`import type`); `require` is cached by Node,
 * so each SDK is evaluated once.
 *
 * In the deployment artifact, each `require('<package>')` written in our sources is where the
 * bundle splits (dev/package/lazySplit.ts): the package's code goes to `lazy.js`, which main.js
 * reads on the first such call, so cold start does not even parse it. Keep these calls literal.
 */
export type DataTablesSdk = typeof DataTables;
export type StorageQueueSdk = typeof StorageQueue;
export type IdentitySdk = typeof Identity;
export type JoseSdk = typeof Jose;

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
