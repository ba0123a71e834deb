import jwt, { type JwtPayload } from 'jsonwebtoken';
import { createUpstreamSigner, mintUpstreamToken } from '../../src/upstream/jwt';

describe('upstream JWT minting', () => {
  it('signs HS256 with the client secret and carries appId = client id', () => {
    const token = mintUpstreamToken('cs-123', 's3cret', 300);
    const decoded = jwt.decode(token, { complete: true });
    expect(decoded?.header.alg).toBe('HS256');
    const payload = jwt.verify(token, 's3cret', { algorithms: ['HS256'] }) as JwtPayload;
    expect(payload.appId).toBe('cs-123');
    expect(() => jwt.verify(token, 'other-secret')).toThrow();
  });

  it("is short-lived: exp = iat + ttl, well under Kore's one-hour jti cap", () => {
    const payload = jwt.decode(mintUpstreamToken('cs', 'k', 300)) as JwtPayload;
    expect((payload.exp as number) - (payload.iat as number)).toBe(300);
    expect(Math.abs((payload.iat as number) - Date.now() / 1000)).toBeLessThan(5);
  });

  it('never signs the same token twice: every token has a fresh jti', () => {
    const ids = new Set(Array.from({ length: 200 }, () => (jwt.decode(mintUpstreamToken('cs', 'k', 60)) as JwtPayload).jti));
    expect(ids.size).toBe(200);
  });

  it('a signer made once (the key parsed once) mints fresh tokens that verify with the plain secret', () => {
    const sign = createUpstreamSigner('cs-9', 'a-longer-secret-with-unicode-é', 120);
    const [a, b] = [sign(), sign()];
    expect(a).not.toBe(b);
    for (const token of [a, b]) {
      const payload = jwt.verify(token, 'a-longer-secret-with-unicode-é', { algorithms: ['HS256'] }) as JwtPayload;
      expect(payload.appId).toBe('cs-9');
      expect((payload.exp as number) - (payload.iat as number)).toBe(120);
    }
    expect((jwt.decode(a) as JwtPayload).jti).not.toBe((jwt.decode(b) as JwtPayload).jti);
  });
});

describe('upstream JWT spare token', () => {
  const nextTick = () => new Promise((resolve) => setImmediate(resolve));
  const jti = (token: string) => (jwt.decode(token) as JwtPayload).jti;

  it('hands out the token signed ahead once, then signs again: a token is never handed out twice', async () => {
    const sign = createUpstreamSigner('cs-1', 'k', 300);
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const burst = [sign(), sign(), sign()]; // the first of each burst is the spare signed after the last burst
      for (const token of burst) {
        expect(jwt.verify(token, 'k', { algorithms: ['HS256'] })).toMatchObject({ appId: 'cs-1' });
        seen.add(jti(token) as string);
      }
      await nextTick();
    }
    expect(seen.size).toBe(150);
  });

  it('a spare older than a tenth of the TTL is not used: the caller gets a token signed on the spot', async () => {
    let clock = 1_000_000;
    const signs = jest.spyOn(jwt, 'sign');
    try {
      const sign = createUpstreamSigner('cs-1', 'k', 300, () => clock);
      sign();
      await nextTick();
      expect(signs).toHaveBeenCalledTimes(2); // the token handed out, then the spare
      clock += 29_000;
      sign(); // young enough: the spare, nothing signed on the spot
      expect(signs).toHaveBeenCalledTimes(2);
      await nextTick();
      clock += 30_001; // a tenth of 300 s, and a millisecond
      sign();
      expect(signs).toHaveBeenCalledTimes(4); // the refill, and the token signed on the spot
    } finally {
      signs.mockRestore();
    }
  });
});
