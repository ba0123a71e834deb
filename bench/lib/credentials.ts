import jwt from 'jsonwebtoken';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '../../src/config';

/**
 * The built-in upstream's demo app: the credentials the graph calls its upstream with (the built-in
 * upstream and the replay upstream both accept them) and what direct requests sign with. The one
 * place the bench reads the application's source for a constant.
 */
export const DEMO_CREDENTIALS = { clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET } as const;

/**
 * A token for direct requests to the built-in upstream. Without a jti, so one token serves many
 * requests (the upstream refuses replays of jti tokens, and minting a token per request is client
 * work, not the upstream's).
 */
export const upstreamToken = (expiresInSeconds: number): string =>
  jwt.sign({ appId: DEMO_CLIENT_ID }, DEMO_CLIENT_SECRET, { algorithm: 'HS256', expiresIn: expiresInSeconds });
