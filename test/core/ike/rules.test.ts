// Payload rules per exchange (RFC 7296 1.2, 1.3, 1.4, 2.16, 2.21), as data.
import { describe, expect, it } from 'vitest';
import { ExchangeType as X, NotifyError, NotifyStatus, PayloadType as T } from '../../../src-main/core/ike/constants.ts';
import { checkEncryption, checkPayloadRules, checkRules, MESSAGE_RULES } from '../../../src-main/core/ike/rules.ts';

const REQ = false;
const RESP = true;

describe('payload rules', () => {
  it('has one rule per exchange and direction', () => {
    const keys = MESSAGE_RULES.map((r) => `${r.exchange}/${r.response}`);
    expect(new Set(keys).size).toBe(8);
    expect(MESSAGE_RULES.filter((r) => r.encrypted).map((r) => r.exchange)).not.toContain(X.IKE_SA_INIT);
  });

  it("IKE_SA_INIT { SA, KE, Ni, N(NAT_D) x2, N+, V } --> as charon sends it", () => {
    expect(checkRules(X.IKE_SA_INIT, REQ, [T.SA, T.KE, T.Nonce, T.N, T.N, T.N, T.N, T.N, T.V])).toBeNull();
    expect(checkRules(X.IKE_SA_INIT, REQ, [T.N, T.SA, T.KE, T.Nonce])).toBeNull(); // N(COOKIE) retry
  });

  it('IKE_SA_INIT request without KE, with two SAs, with an IDi or with a CERTREQ is refused', () => {
    expect(checkRules(X.IKE_SA_INIT, REQ, [T.SA, T.Nonce])).toMatchObject({ code: 'missing', payloadType: T.KE });
    expect(checkRules(X.IKE_SA_INIT, REQ, [T.SA, T.SA, T.KE, T.Nonce])).toMatchObject({ code: 'too-many', payloadType: T.SA });
    expect(checkRules(X.IKE_SA_INIT, REQ, [T.SA, T.KE, T.Nonce, T.IDi])).toMatchObject({ code: 'not-allowed', payloadType: T.IDi });
    expect(checkRules(X.IKE_SA_INIT, REQ, [T.SA, T.KE, T.Nonce, T.CERTREQ])).toMatchObject({ code: 'not-allowed' });
  });

  it('<-- IKE_SA_INIT { N(error) }, { N(COOKIE) } and { N(REDIRECT) } stand alone; other status notifies do not', () => {
    expect(checkRules(X.IKE_SA_INIT, RESP, [T.SA, T.KE, T.Nonce, T.CERTREQ, T.N])).toBeNull();
    expect(checkRules(X.IKE_SA_INIT, RESP, [T.N], [NotifyError.INVALID_KE_PAYLOAD])).toBeNull();
    expect(checkRules(X.IKE_SA_INIT, RESP, [T.N], [NotifyStatus.COOKIE])).toBeNull();
    expect(checkRules(X.IKE_SA_INIT, RESP, [T.N], [NotifyStatus.REDIRECT])).toBeNull();
    expect(checkRules(X.IKE_SA_INIT, RESP, [T.N], [NotifyStatus.NAT_DETECTION_SOURCE_IP])).toMatchObject({ code: 'missing' });
    // A request cannot be "answered" by an error notify.
    expect(checkRules(X.IKE_SA_INIT, REQ, [T.N], [NotifyError.INVALID_SYNTAX])).toMatchObject({ code: 'missing' });
  });

  it('IKE_AUTH SK { IDi, AUTH, SA, TSi, TSr, CP, N+ } --> and its EAP and childless forms', () => {
    expect(checkRules(X.IKE_AUTH, REQ, [T.IDi, T.N, T.IDr, T.AUTH, T.CP, T.SA, T.TSi, T.TSr, T.N, T.N])).toBeNull();
    expect(checkRules(X.IKE_AUTH, REQ, [T.IDi, T.SA, T.TSi, T.TSr])).toBeNull(); // asks for EAP
    expect(checkRules(X.IKE_AUTH, REQ, [T.EAP])).toBeNull();
    expect(checkRules(X.IKE_AUTH, REQ, [T.AUTH])).toBeNull();
    expect(checkRules(X.IKE_AUTH, REQ, [T.IDi, T.AUTH])).toBeNull(); // childless (RFC 6023)
    expect(checkRules(X.IKE_AUTH, REQ, [T.N])).toMatchObject({ code: 'missing' });
    expect(checkRules(X.IKE_AUTH, REQ, [T.IDi, T.AUTH, T.SA, T.TSi])).toMatchObject({ code: 'not-together', payloadType: T.TSr });
    expect(checkRules(X.IKE_AUTH, REQ, [T.IDi, T.AUTH, T.KE])).toMatchObject({ code: 'not-allowed', payloadType: T.KE });
    expect(checkRules(X.IKE_AUTH, REQ, [T.IDi, T.IDi, T.AUTH])).toMatchObject({ code: 'too-many' });
  });

  it('<-- IKE_AUTH SK { IDr, AUTH, CP(CFG_REPLY), SA, TSi, TSr } or SK { N(AUTHENTICATION_FAILED) }', () => {
    expect(checkRules(X.IKE_AUTH, RESP, [T.IDr, T.AUTH, T.CP, T.SA, T.TSi, T.TSr])).toBeNull();
    expect(checkRules(X.IKE_AUTH, RESP, [T.N], [NotifyError.AUTHENTICATION_FAILED])).toBeNull();
    expect(checkRules(X.IKE_AUTH, RESP, [T.IDr, T.SA, T.TSi, T.TSr])).toMatchObject({ code: 'missing', payloadType: T.AUTH });
    expect(checkRules(X.IKE_AUTH, RESP, [T.IDi, T.AUTH])).toMatchObject({ code: 'not-allowed', payloadType: T.IDi });
  });

  it('CREATE_CHILD_SA: SA and Nonce required, TS pair optional (IKE SA rekey), error answers', () => {
    expect(checkRules(X.CREATE_CHILD_SA, REQ, [T.N, T.SA, T.Nonce, T.KE, T.TSi, T.TSr])).toBeNull();
    expect(checkRules(X.CREATE_CHILD_SA, REQ, [T.SA, T.Nonce, T.KE])).toBeNull();
    expect(checkRules(X.CREATE_CHILD_SA, REQ, [T.SA, T.KE])).toMatchObject({ code: 'missing', payloadType: T.Nonce });
    expect(checkRules(X.CREATE_CHILD_SA, REQ, [T.SA, T.Nonce, T.TSi])).toMatchObject({ code: 'not-together' });
    expect(checkRules(X.CREATE_CHILD_SA, RESP, [T.N], [NotifyError.NO_PROPOSAL_CHOSEN])).toBeNull();
    expect(checkRules(X.CREATE_CHILD_SA, RESP, [T.N], [NotifyStatus.REKEY_SA])).toMatchObject({ code: 'missing' });
  });

  it('INFORMATIONAL: empty (DPD), Deletes, notifies; nothing else', () => {
    expect(checkRules(X.INFORMATIONAL, REQ, [])).toBeNull();
    expect(checkRules(X.INFORMATIONAL, RESP, [])).toBeNull();
    expect(checkRules(X.INFORMATIONAL, REQ, [T.D, T.D, T.N])).toBeNull();
    expect(checkRules(X.INFORMATIONAL, REQ, [T.SA])).toMatchObject({ code: 'not-allowed' });
    expect(checkRules(X.INFORMATIONAL, REQ, Array(21).fill(T.N))).toMatchObject({ code: 'too-many', payloadType: T.N });
  });

  it('unknown exchanges have no rules', () => {
    expect(checkRules(43, REQ, [])).toMatchObject({ code: 'unknown-exchange', message: 'no rules for #43 request' });
  });

  it('checkPayloadRules reads types and notify types from decoded payloads', () => {
    const n = { type: T.N, protocolId: 0, spi: new Uint8Array(0), notifyType: NotifyStatus.COOKIE, data: new Uint8Array(8) } as const;
    expect(checkPayloadRules(X.IKE_SA_INIT, RESP, [n])).toBeNull();
  });

  it('encrypted exchanges carry SK alone; IKE_SA_INIT carries none', () => {
    expect(checkEncryption(X.IKE_AUTH, REQ, [T.SK])).toBeNull();
    expect(checkEncryption(X.INFORMATIONAL, RESP, [T.N, T.SK])).toMatchObject({ code: 'not-encrypted', payloadType: T.N });
    expect(checkEncryption(X.CREATE_CHILD_SA, REQ, [])).toMatchObject({ code: 'not-encrypted' });
    expect(checkEncryption(X.IKE_SA_INIT, REQ, [T.SA, T.KE, T.Nonce])).toBeNull();
    expect(checkEncryption(X.IKE_SA_INIT, REQ, [T.SK])).toMatchObject({ code: 'not-allowed', payloadType: T.SK });
  });
});
