import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PersonIdentity } from '../../connectors/core/graph';
import { PeopleDirectory } from '../../subgraphs/common/identity';

const id = (tool: PersonIdentity['tool'], instance: string, nativeId: string, extra: Partial<PersonIdentity> = {}) => ({
  tool,
  instance,
  nativeId,
  email: null,
  displayName: null,
  ...extra,
});

const aliases = {
  people: [
    {
      email: 'Elena.Nguyen@acme.io',
      name: 'Elena Nguyen',
      identities: ['jira:corp:557058:f1d3c2b1-aaaa', 'github:*:enguyen', 'git:*:elena.n@gmail.com', 'mlflow:prod:enguyen'],
    },
  ],
};

describe('PeopleDirectory', () => {
  const people = PeopleDirectory.fromData(aliases);

  it('resolves the same person through an email, whatever its case', () => {
    expect(people.resolve(id('MLFLOW', 'prod', 'ana.lima@acme.io')).id).toBe('ana.lima@acme.io');
    expect(people.resolve(id('GIT', 'public', 'Ana.Lima@Acme.io')).id).toBe('ana.lima@acme.io');
    expect(people.resolve(id('JIRA', 'corp', '5b10abc', { email: 'ANA.LIMA@acme.io' })).id).toBe('ana.lima@acme.io');
  });

  it('resolves identities that expose no email through the aliases file', () => {
    const elena = 'elena.nguyen@acme.io';
    expect(people.resolve(id('JIRA', 'corp', '557058:f1d3c2b1-aaaa')).id).toBe(elena); // an id with a colon
    expect(people.resolve(id('GITHUB', 'enterprise', 'ENguyen')).id).toBe(elena); // any instance, any case
    expect(people.resolve(id('GIT', 'public', 'elena.n@gmail.com')).id).toBe(elena); // her personal email
    expect(people.resolve(id('MLFLOW', 'prod', 'enguyen')).id).toBe(elena);
    expect(people.resolve(id('MLFLOW', 'research', 'Elena.Nguyen@Acme.io')).id).toBe(elena);
    expect(people.describe(elena)).toMatchObject({ email: elena, displayName: 'Elena Nguyen' });
    expect(people.describe(elena).identities.map((i) => `${i.tool}:${i.instance}:${i.nativeId}`)).toContain(
      'JIRA:corp:557058:f1d3c2b1-aaaa',
    );
  });

  it('keeps two different people with the same display name apart', () => {
    const a = people.resolve(id('JIRA', 'corp', '5b10aaaa', { displayName: 'Alex Kim' }));
    const b = people.resolve(id('JIRA', 'corp', '5b10bbbb', { displayName: 'Alex Kim' }));
    const c = people.resolve(id('GITHUB', 'public', 'alexkim', { displayName: 'Alex Kim' }));
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
  });

  it('gives an identity nobody can tie to an email an id of its own, and describes it back', () => {
    const ref = people.resolve(id('JIRA', 'corp', '712020:99aa-bb'));
    expect(ref.id).toBe('jira:corp:712020:99aa-bb');
    expect(people.describe(ref.id)).toEqual({
      id: ref.id,
      email: null,
      displayName: null,
      identities: [{ tool: 'JIRA', instance: 'corp', nativeId: '712020:99aa-bb', email: null, displayName: null }],
    });
  });

  it("takes a commit's author from the first identity the directory knows: account, then email, then name", () => {
    const elena = 'elena.nguyen@acme.io';
    // GitHub linked the commit to her login; the email she committed with is listed nowhere.
    const account = id('GITHUB', 'cloud', 'enguyen');
    const unknownEmail = id('GIT', 'cloud', 'enguyen@home.example', { email: 'enguyen@home.example', displayName: 'Elena N' });
    expect(people.resolveFirstKnown([account, unknownEmail])).toMatchObject({ id: elena, displayName: 'Elena Nguyen' });
    // A known email wins over an account nobody listed (someone else's machine, say).
    const strangerAccount = id('GITHUB', 'cloud', 'someone-else');
    const herEmail = id('GIT', 'cloud', 'elena.n@gmail.com', { email: 'elena.n@gmail.com' });
    expect(people.resolveFirstKnown([strangerAccount, herEmail])?.id).toBe(elena);
    expect(people.resolveFirstKnown([null, undefined])).toBeNull();
  });

  it('describes a person only a commit names by the commit: its name and its identities', () => {
    const commitEmail = id('GIT', 'com', 'uma.jensen@acme.io', { email: 'uma.jensen@acme.io', displayName: 'Uma Jensen' });
    const account = id('GITHUB', 'cloud', 'ujensen');
    expect(people.resolveFirstKnown([account, commitEmail])).toEqual({
      id: 'uma.jensen@acme.io',
      email: 'uma.jensen@acme.io',
      displayName: 'Uma Jensen',
      identities: [account, commitEmail],
    });
    // No email at all: the name is all there is, under an id of its own, never merged by name.
    const nameOnly = id('GIT', 'com', 'Uma Jensen', { displayName: 'Uma Jensen' });
    expect(people.resolveFirstKnown([nameOnly])).toMatchObject({ id: 'git:com:Uma Jensen', displayName: 'Uma Jensen', identities: [nameOnly] });
    expect(people.knows(nameOnly)).toBe(false);
    expect(people.knows(id('GIT', 'com', 'elena.n@gmail.com'))).toBe(true);
  });

  it('reads the aliases file and names a bad entry', () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelgraph-people-'));
    const good = join(dir, 'people.yaml');
    writeFileSync(good, 'people:\n  - email: a@acme.io\n    identities: ["github:*:aa"]\n');
    expect(PeopleDirectory.fromFile(good).resolve(id('GITHUB', 'x', 'aa')).id).toBe('a@acme.io');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'people:\n  - email: a@acme.io\n    identities: ["slack:x:y"]\n');
    expect(() => PeopleDirectory.fromFile(bad)).toThrow(/people\.0\.identities\.0: must be <tool>:<instance or \*>:<id>/);
    expect(() => PeopleDirectory.fromData({ people: [{ email: 'a@x.io' }, { email: 'A@x.io' }] })).toThrow(
      /people\.1\.email: a@x\.io is listed twice/,
    );
  });
});
