import type { ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginInlineTrace } from '@apollo/server/plugin/inlineTrace';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import type { Config } from '../../config';
import type { Context } from '../../context';

/**
 * Apollo's own plugins, chosen by configuration. Each is named explicitly: Apollo installs a
 * default for any of these three it does not find in the list (a landing page, inline tracing for
 * a federated subgraph, and cache control hooking every field).
 */

/** What a browser opening /graphql sees (LANDING_PAGE). */
export function landingPage(choice: Config['landingPage']): ApolloServerPlugin<Context> {
  switch (choice) {
    case 'sandbox': // embedded Apollo Sandbox pointed at this server (its scripts come from Apollo's CDN)
      return ApolloServerPluginLandingPageLocalDefault({ embed: true, footer: false, includeCookies: false });
    case 'production':
      return ApolloServerPluginLandingPageProductionDefault({ footer: false });
    case 'off':
      return ApolloServerPluginLandingPageDisabled();
  }
}

/**
 * Federated tracing (`extensions.ftv1`) for a gateway that asks for it, only with INLINE_TRACING=true:
 * Apollo turns it on by default for a subgraph schema.
 */
export const inlineTrace = (on: boolean): ApolloServerPlugin<Context> =>
  on ? ApolloServerPluginInlineTrace() : ApolloServerPluginInlineTraceDisabled();

/**
 * No cache hints here (answers are cached per upstream question, not per field), and the implicit
 * cache-control plugin would otherwise hook every field.
 */
export const cacheControlDisabled = (): ApolloServerPlugin<Context> => ApolloServerPluginCacheControlDisabled();
