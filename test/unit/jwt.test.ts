import jwt, { type JwtPayload } from 'jsonwebtoken';
import { mintUpstreamToken } from '../../src/upstream/jwt';

describe('upstream JWT minting', () => {
  it('signs HS256 with the client secret and carries appId = client id', () => {
    const token = mintUpstreamToken('cs-123', 's3cret', 300);
    const decoded = jwt.decode(token, { complete: true });
    expect(decoded?.header.alg).toBe('HS256');
    const payload = jwt.verify(token, 's3cret', { algorithms: ['HS256'] }) as JwtPayload;
    expect(payload.appId).toBe('cs-123');
    expect(() => jwt.verify(token, 'other-secret')).toThrow();
  });

  it('is short-lived: exp = iat + ttl, well under Kore\'s one-hour jti cap', () => {
    const payload = jwt.decode(mintUpstreamToken('cs', 'k', 300)) as JwtPayload;
    expect((payload.exp as number) - (payload.iat as number)).toBe(300);
    expect(Math.abs((payload.iat as number) - Date.now() / 1000)).toBeLessThan(5);
  });

  it('never signs the same token twice: every token has a fresh jti', () => {
    const ids = new Set(Array.from({ length: 200 }, () => (jwt.decode(mintUpstreamToken('cs', 'k', 60)) as JwtPayload).jti));
    expect(ids.size).toBe(200);
  });
});
