import { isSet, raw, type Env } from './env';

/**
 * The proxy variables axios honours (either case; NO_PROXY is left to axios). Only whether one is
 * set is decided here: the Kore client then uses axios's own adapter, which finds the proxy itself,
 * instead of the lean adapter in upstream/http-adapter.ts, which never goes through one.
 */
export const PROXY_VARIABLES = {
  http_proxy: raw(),
  HTTP_PROXY: raw(),
  https_proxy: raw(),
  HTTPS_PROXY: raw(),
  all_proxy: raw(),
  ALL_PROXY: raw(),
} as const;

/** Whether axios's adapter would look for a proxy (read when a client is made; the environment does not change). */
export function usesProxy(env: Env = process.env): boolean {
  return (Object.keys(PROXY_VARIABLES) as (keyof typeof PROXY_VARIABLES)[]).some((name) => isSet(env, PROXY_VARIABLES, name));
}
