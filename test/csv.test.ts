import { describe, expect, it } from 'vitest';
import { parseCsv } from '../src/communities/rules';
import { CsvError, readCsv } from '../src/http/csv';
import { csvObjects } from '../src/schools/csv';

/** The one CSV reader (src/http/csv.ts) and its two callers, school rosters and associations, reading alike. */

const CORPUS = '\uFEFFname,kind\r\n"A, ""1""",unit\r\n\r\n"B\nsecond line",federation\rC,unit\n';

describe('the shared CSV reader', () => {
  it('reads quotes, doubled quotes, CRLF, a lone CR, a BOM and blank lines, with the line each record starts on', () => {
    expect(readCsv(CORPUS)).toEqual([
      { line: 1, cells: ['name', 'kind'] },
      { line: 2, cells: ['A, "1"', 'unit'] },
      { line: 4, cells: ['B\nsecond line', 'federation'] },
      { line: 6, cells: ['C', 'unit'] },
    ]);
  });

  it('says where and what when a quoted cell is not closed', () => {
    const err = (() => {
      try {
        readCsv('a,b\n1,2\n"open,3\n4');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CsvError);
    expect(err).toMatchObject({
      line: 3,
      reason: 'a quoted cell is not closed',
      message: 'line 3: a quoted cell is not closed',
    });
  });

  it('both callers read the same corpus to the same records and lines', () => {
    const schools = csvObjects(CORPUS, ['name', 'kind']);
    const communities = parseCsv(CORPUS);
    if (!('records' in communities)) throw new Error(communities.message);
    expect(communities.records).toEqual(schools.map((r) => r.values));
    expect(communities.lines).toEqual(schools.map((r) => r.line));
  });

  it('keeps each caller’s own rules: associations skip a line of spaces and name their error; rosters name unknown columns', () => {
    const r = parseCsv('name,kind\n   \nA,unit');
    expect('records' in r && r).toMatchObject({ records: [{ name: 'A', kind: 'unit' }], lines: [3] });
    expect(parseCsv('name,kind\n"A,unit')).toEqual({ line: 2, message: 'a quoted field is not closed' });
    expect(() => csvObjects('name,colour\nA,red', ['name'])).toThrow(/^line 1: colour: unknown column/);
  });
});
