/**
 * The CloudEvents 1.0 structured-mode envelope POSTed to the ISV, and the constants of the wire
 * format (docs/isv-hooks.md is the contract; change both together).
 */
export const ISV_EVENT_SOURCE = 'urn:saas-fulfillment';

/** Keep in step with package.json `version` (a unit test checks). */
export const ISV_CLIENT_VERSION = '0.1.0';
export const ISV_USER_AGENT = `saas-fulfillment/${ISV_CLIENT_VERSION}`;

export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';

/** The `type` of the event POSTed to the decision endpoint (not a lifecycle event). */
export const ISV_DECISION_EVENT_TYPE = 'saas.subscription.change_requested';

export interface CloudEvent<TData> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: TData;
  /** CloudEvents distributed-tracing extension: the trace this event belongs to. */
  traceparent?: string;
  tracestate?: string;
}

export interface CloudEventFields<TData> {
  id: string;
  type: string;
  subject: string;
  time: string;
  data: TData;
}

export function toCloudEvent<TData>(fields: CloudEventFields<TData>, source: string = ISV_EVENT_SOURCE): CloudEvent<TData> {
  return {
    specversion: '1.0',
    id: fields.id,
    source,
    type: fields.type,
    subject: fields.subject,
    time: fields.time,
    datacontenttype: 'application/json',
    data: fields.data,
  };
}
