import fc from 'fast-check';
import type { WindowRequest } from '../../../src/providers/provider';
import {
  MAX_RESULTS_PER_PAGE,
  planWindow,
  type PageAnswer,
  type PageRead,
} from '../../../src/providers/cloudfoundry/paging';

/** Cloud Controller's paging over a list of `total` items (its order: 0, 1, 2, …). */
function upstreamPage(total: number, read: PageRead): PageAnswer<number> {
  const list = Array.from({ length: total }, (_, index) => index);
  const ordered = read.reversed ? list.reverse() : list;
  const start = (read.page - 1) * read.resultsPerPage;
  return { items: ordered.slice(start, start + read.resultsPerPage), total };
}

function windowOf(request: WindowRequest, total: number) {
  const plan = planWindow(request);
  return { reads: plan.reads, window: plan.assemble(plan.reads.map((read) => upstreamPage(total, read))) };
}

/** Whether some page size in [limit, 100] holds the window in one page. */
function fitsOnePage(offset: number, limit: number): boolean {
  for (let size = Math.max(1, limit); size <= MAX_RESULTS_PER_PAGE; size++) {
    if (Math.floor(offset / size) === Math.floor((offset + Math.max(1, limit) - 1) / size)) return true;
  }
  return false;
}

const forward = (offset: number, limit: number): WindowRequest => ({ from: 'start', offset, limit });
const read = (page: number, resultsPerPage: number, reversed = false): PageRead => ({ page, resultsPerPage, reversed });

describe('planWindow: which pages are read', () => {
  it.each<[string, WindowRequest, PageRead[]]>([
    ['the first page', forward(0, 25), [read(1, 25)]],
    ['a later page of a walk with one size', forward(50, 25), [read(3, 25)]],
    ['a window inside a larger page', forward(7, 25), [read(1, 32)]],
    ['the smallest page size that holds the window', forward(90, 20), [read(5, 22)]],
    ['a full page of 100', forward(200, 100), [read(3, 100)]],
    ['two pages when no size holds the window', forward(99, 100), [read(1, 100), read(2, 100)]],
    ['two pages of the window size', forward(50, 60), [read(1, 60), read(2, 60)]],
    ['one item', forward(129, 1), [read(130, 1)]],
    ['limit 0: one page of one, for the total', forward(40, 0), [read(1, 1)]],
    ['the last items: page 1 read backwards', { from: 'end', limit: 7 }, [read(1, 7, true)]],
    ['the last 100 items', { from: 'end', limit: 100 }, [read(1, 100, true)]],
    ['the last 0 items: one page of one, for the total', { from: 'end', limit: 0 }, [read(1, 1, true)]],
  ])('%s', (_, request, expected) => {
    expect(planWindow(request).reads).toEqual(expected);
  });

  it.each([101, -1])('refuses a window of %i items', (limit) => {
    expect(() => planWindow(forward(0, limit))).toThrow(RangeError);
    expect(() => planWindow({ from: 'end', limit })).toThrow(RangeError);
  });
});

describe('planWindow: the window assembled from the pages', () => {
  it.each<[string, WindowRequest, number, { items: number[]; offset: number; total: number }]>([
    ['inside one page', forward(7, 3), 130, { items: [7, 8, 9], offset: 7, total: 130 }],
    ['off a page boundary', forward(98, 4), 130, { items: [98, 99, 100, 101], offset: 98, total: 130 }],
    [
      'across two pages',
      forward(99, 100),
      250,
      { items: Array.from({ length: 100 }, (_, i) => 99 + i), offset: 99, total: 250 },
    ],
    ['cut short by the end of the list', forward(128, 5), 130, { items: [128, 129], offset: 128, total: 130 }],
    ['past the end', forward(140, 5), 130, { items: [], offset: 140, total: 130 }],
    ['limit 0', forward(3, 0), 130, { items: [], offset: 3, total: 130 }],
    ['the last items', { from: 'end', limit: 3 }, 130, { items: [127, 128, 129], offset: 127, total: 130 }],
    ['the last items of a short list', { from: 'end', limit: 25 }, 4, { items: [0, 1, 2, 3], offset: 0, total: 4 }],
    ['the last 0 items', { from: 'end', limit: 0 }, 130, { items: [], offset: 130, total: 130 }],
    ['an empty list', { from: 'end', limit: 10 }, 0, { items: [], offset: 0, total: 0 }],
  ])('%s', (_, request, total, expected) => {
    expect(windowOf(request, total).window).toEqual(expected);
  });
});

describe('planWindow: properties', () => {
  const limit = fc.integer({ min: 0, max: MAX_RESULTS_PER_PAGE });
  const total = fc.integer({ min: 0, max: 5000 });

  it('a forward window: covered, at most two consecutive pages of one valid size, one when one fits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), limit, total, (offset, size, length) => {
        const request = forward(offset, size);
        const { reads, window } = windowOf(request, length);
        expect(window).toEqual({
          items: Array.from({ length: Math.max(0, Math.min(size, length - offset)) }, (_, i) => offset + i),
          offset,
          total: length,
        });
        expect(reads.length).toBeGreaterThanOrEqual(1);
        expect(reads.length).toBeLessThanOrEqual(2);
        expect(reads.length === 1).toBe(fitsOnePage(offset, size));
        for (const [index, page] of reads.entries()) {
          expect(page).toEqual(read(reads[0]!.page + index, reads[0]!.resultsPerPage));
          expect(page.page).toBeGreaterThanOrEqual(1);
          expect(page.resultsPerPage).toBeGreaterThanOrEqual(Math.max(1, size));
          expect(page.resultsPerPage).toBeLessThanOrEqual(MAX_RESULTS_PER_PAGE);
        }
      }),
    );
  });

  it('a walk with one page size reads one page per window', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_RESULTS_PER_PAGE }), fc.nat(200), (size, index) => {
        expect(planWindow(forward(index * size, size)).reads).toEqual([read(index + 1, size)]);
      }),
    );
  });

  it('the last items: one page, the list tail, placed by the total', () => {
    fc.assert(
      fc.property(limit, total, (size, length) => {
        const { reads, window } = windowOf({ from: 'end', limit: size }, length);
        const count = Math.min(size, length);
        expect(reads).toEqual([read(1, Math.max(1, size), true)]);
        expect(window).toEqual({
          items: Array.from({ length: count }, (_, i) => length - count + i),
          offset: length - count,
          total: length,
        });
      }),
    );
  });
});
