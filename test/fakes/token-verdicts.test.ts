import { TokenVerdicts } from '../../src/fakes/token-verdicts';

describe('TokenVerdicts', () => {
  afterEach(() => jest.useRealTimers());

  it('verifies a token once while it is unexpired', async () => {
    const verdicts = new TokenVerdicts<string>();
    const verify = jest.fn(async (token: string) => ({ value: `caller of ${token}`, exp: Math.floor(Date.now() / 1000) + 60 }));
    expect(await verdicts.verify('a', verify)).toBe('caller of a');
    expect(await verdicts.verify('a', verify)).toBe('caller of a');
    expect(await verdicts.verify('b', verify)).toBe('caller of b');
    expect(verify.mock.calls.map(([token]) => token)).toEqual(['a', 'b']);
  });

  it('verifies again once the token has expired, so the full check refuses it', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-23T00:00:00Z') });
    const exp = Math.floor(Date.now() / 1000) + 10;
    const verdicts = new TokenVerdicts<string>();
    let expired = false;
    const verify = jest.fn(async () => {
      if (expired) throw new Error('expired');
      return { value: 'caller', exp };
    });
    await verdicts.verify('t', verify);
    jest.setSystemTime(exp * 1000 - 1);
    await expect(verdicts.verify('t', verify)).resolves.toBe('caller');
    expect(verify).toHaveBeenCalledTimes(1);
    jest.setSystemTime(exp * 1000);
    expired = true;
    await expect(verdicts.verify('t', verify)).rejects.toThrow('expired');
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('does not remember a refusal, and forgets everything on clear()', async () => {
    const verdicts = new TokenVerdicts<string>();
    const refuse = jest.fn(async (): Promise<{ value: string }> => {
      throw new Error('bad signature');
    });
    await expect(verdicts.verify('t', refuse)).rejects.toThrow('bad signature');
    await expect(verdicts.verify('t', refuse)).rejects.toThrow('bad signature');
    expect(refuse).toHaveBeenCalledTimes(2);

    const accept = jest.fn(async () => ({ value: 'caller' }));
    await verdicts.verify('t', accept);
    verdicts.clear();
    await verdicts.verify('t', accept);
    expect(accept).toHaveBeenCalledTimes(2);
  });
});
