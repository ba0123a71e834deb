import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../../context';
import { REQUEST_ID } from '../../errors';

/**
 * Tags every error of a request with its request id, so a masked error names the id to look up in
 * the log. Apollo runs formatError (errors/format.ts, which reads the tag) only once every
 * didEncounterErrors hook has resolved, so the tag is always there when it is read.
 */
export const requestIdOnErrors: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ contextValue, errors }) {
        for (const error of errors) Object.assign(error, { [REQUEST_ID]: contextValue?.requestId });
      },
    };
  },
};
