// The typed client of the Order Flow Service exported by the package: REST (OrderflowClient) and stream (OrderflowStream).
export * from './footprint-updates.ts';
export * from './rest-client.ts';
export * from './stream-client.ts';
export * from './tick-batch.ts';
