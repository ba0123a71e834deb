/**
 * Errors, in one folder: the code table every sent code comes from (codes.ts), the deliberate
 * errors (classes.ts), upstream failures with the typed origin internal decisions read
 * (upstream.ts), and Apollo's formatError (format.ts). Import from here (`../errors`).
 */
export * from './codes';
export * from './classes';
export * from './upstream';
export * from './format';
