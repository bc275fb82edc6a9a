import { createProgress } from '../../../cli/report/progress';
import { captureStream } from './streams';

describe('createProgress', () => {
  it('updates one line in place from page 2 on a terminal, and clears it', () => {
    const stream = captureStream(true);
    const progress = createProgress({ stream });
    expect(progress.enabled).toBe(true);
    progress.update({ page: 1, items: 100 });
    expect(stream.text()).toBe('');
    progress.update({ page: 2, items: 200, total: 1000 });
    progress.update({ page: 3, items: 300 });
    progress.clear();
    expect(stream.text()).toBe(
      '\rfetched 200 of 1000 rows (page 2)' + '\rfetched 300 rows (page 3)' + ' '.repeat(8) + `\r${' '.repeat(25)}\r`,
    );
  });

  it('is silent when the stream is not a terminal', () => {
    const stream = captureStream(false);
    const progress = createProgress({ stream });
    progress.update({ page: 5, items: 10 });
    progress.clear();
    expect(progress.enabled).toBe(false);
    expect(stream.text()).toBe('');
  });

  it('lets the caller decide isTTY', () => {
    const stream = captureStream(false);
    createProgress({ stream, isTTY: true, fromPage: 1 }).update({ page: 1, items: 3 });
    expect(stream.text()).toBe('\rfetched 3 rows (page 1)');
  });
});
