import { int64FieldPattern } from '../../connectors/core/http-client';

/** JSON numbers the vendor documents as int64 ids keep their digits (JSON.parse would round past 2^53). */
describe('int64FieldPattern', () => {
  const keep = (text: string) => JSON.parse(text.replace(int64FieldPattern(['run_workspace_id'])!, '$1"$2"'));

  it('reads the named fields of 16 or more digits as strings, exactly', () => {
    expect(JSON.parse('{"run_workspace_id": 9007199254740993}').run_workspace_id).toBe(9007199254740992);
    expect(keep('{"a":[{"run_workspace_id": 9007199254740993 },{"run_workspace_id":1234567890123456}]}')).toEqual({
      a: [{ run_workspace_id: '9007199254740993' }, { run_workspace_id: '1234567890123456' }],
    });
  });

  it('leaves short numbers, other fields and the field named inside a string alone', () => {
    expect(keep('{"run_workspace_id": 42, "version": 9007199254740993}')).toEqual({ run_workspace_id: 42, version: 9007199254740992 });
    const inString = '{"comment": "see \\"run_workspace_id\\": 9007199254740993 in the logs"}';
    expect(keep(inString)).toEqual(JSON.parse(inString));
  });

  it('is off without fields', () => {
    expect(int64FieldPattern(undefined)).toBeUndefined();
    expect(int64FieldPattern([])).toBeUndefined();
  });
});
