import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bundleOf, serializeBundle, StoredJson } from './bundle-format.ts';

describe('serializeBundle', () => {
  it('splices stored resource text in place, equal to serializing the parsed resources', () => {
    const resource = fc.dictionary(fc.string(), fc.jsonValue());
    fc.assert(
      fc.property(fc.array(resource, { maxLength: 5 }), fc.string(), (resources, url) => {
        const entries = (stored: boolean) =>
          resources.map((r) => ({
            fullUrl: url,
            resource: (stored ? new StoredJson(JSON.stringify(r)) : r) as never,
            search: { mode: 'match' as const },
          }));
        const spliced = serializeBundle({ entry: entries(true), link: [{ relation: 'self', url }] });
        const plain = JSON.parse(
          JSON.stringify({ entry: entries(false), link: [{ relation: 'self', url }] }),
        );
        expect(JSON.parse(spliced.text)).toEqual(plain);
      }),
    );
  });

  it('cannot be made to splice by request text that imitates a placeholder', () => {
    const secret = new StoredJson('{"resourceType":"Patient","id":"hidden"}');
    const forged = ['"00000000-0000-0000-0000-000000000000:0"', ':0"', '\u0001:0'];
    const bundle = bundleOf('searchset', [{ resource: secret }], {
      link: forged.map((url) => ({ relation: 'self', url })),
    });
    const parsed = serializeBundle(bundle).toJSON() as {
      entry: { resource: unknown }[];
      link: { url: string }[];
    };
    expect(parsed.link.map((l) => l.url)).toEqual(forged);
    expect(parsed.entry[0]!.resource).toEqual({ resourceType: 'Patient', id: 'hidden' });
  });
});
