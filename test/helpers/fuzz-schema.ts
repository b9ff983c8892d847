import fc from 'fast-check';

/**
 * Values for an OpenAPI (JSON Schema) schema, for fuzzing. Most are well-formed throughout,
 * so the request gets past validation into the route's own logic; the rest are sloppy: any
 * field may be a near miss (a limit crossed by one, a wrong type, null), missing, extra, or junk.
 */
export type Schema = Record<string, any>;

const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.string({ minLength: 5_000, maxLength: 20_000 }),
  fc.constantFrom('constructor', '__proto__', '../../etc/passwd', '%00', "'; DROP TABLE users; --", '𠮷'.repeat(300)),
  fc.array(fc.jsonValue(), { maxLength: 4 }),
  fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 }),
);

export function resolve(schema: Schema, components: Record<string, Schema>): Schema {
  let s = schema;
  for (let i = 0; s?.$ref && i < 10; i++) s = components[String(s.$ref).split('/').pop()!] ?? {};
  return s ?? {};
}

export function valueFor(schema: Schema, components: Record<string, Schema>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: shapedFor(resolve(schema, components), components, 0, false) },
    { weight: 2, arbitrary: loose(schema, components, 0) },
  );
}

function loose(schema: Schema, components: Record<string, Schema>, depth: number): fc.Arbitrary<unknown> {
  const shaped = shapedFor(resolve(schema, components), components, depth, true);
  return fc.oneof({ weight: 8, arbitrary: shaped }, { weight: 1, arbitrary: junk });
}

function shapedFor(
  s: Schema,
  components: Record<string, Schema>,
  depth: number,
  sloppy: boolean,
): fc.Arbitrary<unknown> {
  if (depth > 6) return sloppy ? junk : fc.constant(null);
  const inner = (x: Schema) =>
    sloppy ? loose(x, components, depth + 1) : shapedFor(resolve(x, components), components, depth + 1, false);
  const alternatives: Schema[] | undefined = s.anyOf ?? s.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((a) => inner(a)));
  if (s.enum?.length) return sloppy ? fc.oneof(fc.constantFrom(...s.enum), fc.string()) : fc.constantFrom(...s.enum);
  if ('const' in s) return fc.constant(s.const);
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
  switch (type) {
    case 'string':
      return stringFor(s, sloppy);
    case 'integer':
    case 'number': {
      const min = s.minimum ?? s.exclusiveMinimum ?? -1_000;
      const max = s.maximum ?? s.exclusiveMaximum ?? 1_000_000;
      const inRange =
        type === 'integer'
          ? fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31) })
          : fc.double({ min, max, noNaN: true });
      return sloppy
        ? fc.oneof(inRange, fc.constantFrom(min - 1, min, max, max + 1, 0, -1, 2 ** 53), fc.double())
        : inRange;
    }
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const maxLength = Math.min((s.maxItems ?? 5) + (sloppy ? 1 : 0), 12);
      const minLength = sloppy ? 0 : Math.min(s.minItems ?? 0, maxLength);
      const items = resolve(s.items ?? {}, components);
      // Lists of choices (roles, wards) are sets: repeats are refused, and would hide the rest.
      if (!sloppy && items.enum?.length)
        return fc.subarray(items.enum as unknown[], { minLength: Math.min(minLength, items.enum.length) });
      return fc.array(inner(s.items ?? {}), { minLength, maxLength });
    }
    default: {
      const props: Record<string, Schema> = s.properties ?? {};
      if (!Object.keys(props).length)
        return fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue(), { maxKeys: 3 });
      const required = ((s.required ?? []) as string[]).filter((k) => k in props);
      const record = fc.record(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, inner(v)])), {
        // Sloppy: every field may be left out; a required one missing is a near miss worth sending.
        requiredKeys: sloppy ? [] : required,
      });
      if (!sloppy) return record;
      return fc
        .tuple(record, fc.boolean(), fc.string({ maxLength: 10 }), fc.jsonValue())
        .map(([r, extra, key, value]) => {
          const out = { ...(r as Record<string, unknown>) };
          if (extra && !(key in props)) out[key] = value;
          return out;
        });
    }
  }
}

function stringFor(s: Schema, sloppy: boolean): fc.Arbitrary<string> {
  const maxLength = s.maxLength ?? 200;
  const minLength = s.minLength ?? 0;
  const byFormat: Record<string, fc.Arbitrary<string>> = {
    'date-time': fc
      .date({ min: new Date('1969-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString()),
    date: fc
      .date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10)),
    email: fc.emailAddress(),
    uuid: fc.uuid(),
    uri: fc.webUrl(),
  };
  const formatted = s.format ? byFormat[s.format] : undefined;
  if (!sloppy)
    return (
      formatted ?? fc.string({ minLength: Math.max(minLength, 1), maxLength: Math.max(1, Math.min(maxLength, 60)) })
    );
  return fc.oneof(
    fc.string({ minLength, maxLength: Math.min(maxLength, 300) }),
    fc.constantFrom('', ' ', 'x'.repeat(maxLength + 1), '2026-02-30', '2026-12-01T25:00:00Z', 'R-2026-000001'),
    ...(formatted ? [formatted, formatted] : []),
  );
}

/** Path and query values: a known ID of the right kind or another, or something odd. */
export function paramFor(schema: Schema, components: Record<string, Schema>, known: string[]): fc.Arbitrary<string> {
  const s = resolve(schema, components);
  const shaped = fc
    .oneof(shapedFor(s, components, 0, false), shapedFor(s, components, 0, true))
    .map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return fc.oneof(
    ...(known.length ? [fc.constantFrom(...known), fc.constantFrom(...known)] : []),
    shaped,
    fc.uuid(),
    fc.constantFrom('', '0', '-1', '1e999', 'NaN', 'null', 'true', '..', '%', '%ZZ', '𠮷', 'a'.repeat(5_000)),
  );
}
