import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../../context';

/** Says so when any answer was served stale: `extensions.engagementGraph = { stale: true, staleAnswers }`. */
export const staleExtension: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        if (!contextValue.stale.length || response.body.kind !== 'single') return;
        const body = response.body.singleResult;
        body.extensions = { ...body.extensions, engagementGraph: { stale: true, staleAnswers: contextValue.stale } };
      },
    };
  },
};
