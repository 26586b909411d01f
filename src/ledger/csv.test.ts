import { describe, expect, it } from 'vitest';
import { csvCell, entriesToCsv } from './csv.ts';
import type { LedgerEntry } from './entry.ts';

describe('csvCell', () => {
  const cases: Array<[input: string | number | undefined, cell: string]> = [
    ['plain', 'plain'],
    [42, '42'],
    [undefined, ''],
    ['', ''],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rlf', '"cr\rlf"'],
    // Formula injection (OWASP CSV injection): neutralised with a leading apostrophe.
    ['=HYPERLINK("http://evil","x")', `"'=HYPERLINK(""http://evil"",""x"")"`],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\r=1', `"'\r=1"`],
    ['a=b', 'a=b'], // only a leading trigger counts
    ["'quoted", "'quoted"],
  ];
  for (const [input, cell] of cases) it(JSON.stringify(input), () => expect(csvCell(input)).toBe(cell));
});

describe('entriesToCsv', () => {
  const entry: LedgerEntry = {
    id: 'id-1',
    origin: 'https://shop.example',
    kind: 'payment',
    source: 'webln',
    rail: 'btc',
    direction: 'out',
    amountSat: 1_500,
    feeSat: 3,
    maxFeeSat: 15,
    paymentHash: 'ab'.repeat(32),
    paymentRequest: 'lnbc15u1p...',
    description: '=cmd|" /C calc"!A0, coffee',
    status: 'succeeded',
    preimage: 'cd'.repeat(32),
    reservationId: 'res-1',
    createdAt: Date.parse('2025-03-12T10:00:00.000Z'),
    updatedAt: Date.parse('2025-03-12T10:00:02.500Z'),
  };
  it('writes a header, one CRLF-terminated row per entry, ISO times, no preimage', () => {
    expect(entriesToCsv([entry])).toBe(
      'created_at,updated_at,id,origin,kind,source,rail,direction,status,amount_sat,fee_sat,max_fee_sat,payment_hash,description,failure_reason,reservation_id,payment_request\r\n' +
        `2025-03-12T10:00:00.000Z,2025-03-12T10:00:02.500Z,id-1,https://shop.example,payment,webln,btc,out,succeeded,1500,3,15,${'ab'.repeat(32)},"'=cmd|"" /C calc""!A0, coffee",,res-1,lnbc15u1p...\r\n`,
    );
    expect(entriesToCsv([entry])).not.toContain('cd'.repeat(32));
  });
  it('an empty ledger is just the header', () => {
    expect(entriesToCsv([]).split('\r\n')).toHaveLength(2);
  });
});
