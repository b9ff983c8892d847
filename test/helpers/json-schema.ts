/**
 * A small JSON Schema checker for the subset the GeoReport v2 schemas use: type, enum,
 * required, properties, items, $ref (to a sibling file), anyOf, maxLength, minItems and
 * format date-time. Returns the list of problems, empty when valid.
 */
export type Schema = Record<string, any>;

const W3C_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function typeOk(type: string, v: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return Number.isInteger(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'array':
      return Array.isArray(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'null':
      return v === null;
    default:
      throw new Error(`unsupported type ${type}`);
  }
}

export function validate(schema: Schema, value: unknown, refs: Record<string, Schema>, at = '$'): string[] {
  if (schema.$ref) {
    const target = refs[schema.$ref];
    if (!target) throw new Error(`unknown $ref ${schema.$ref}`);
    return validate(target, value, refs, at);
  }
  const errs: string[] = [];
  if (schema.anyOf) {
    const ok = (schema.anyOf as Schema[]).some((s) => validate(s, value, refs, at).length === 0);
    if (!ok) errs.push(`${at}: matches none of anyOf`);
    return errs;
  }
  if (schema.type && !typeOk(schema.type, value))
    return [`${at}: expected ${schema.type}, got ${JSON.stringify(value)}`];
  if (schema.enum && !schema.enum.includes(value))
    errs.push(`${at}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'string') {
    if (schema.maxLength !== undefined && [...value].length > schema.maxLength)
      errs.push(`${at}: longer than ${schema.maxLength}`);
    if (schema.format === 'date-time' && !W3C_DATE_TIME.test(value))
      errs.push(`${at}: not a date-time with a zone: ${value}`);
  }
  if (Array.isArray(value) && schema.items) {
    // The GeoReport schemas put minItems inside items; honour it where it is.
    const min = schema.minItems ?? schema.items.minItems;
    if (min !== undefined && value.length < min) errs.push(`${at}: fewer than ${min} items`);
    for (const [i, v] of value.entries()) errs.push(...validate(schema.items, v, refs, `${at}[${i}]`));
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const k of schema.required ?? []) if (!(k in obj)) errs.push(`${at}: missing ${k}`);
    for (const [k, s] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
      if (k in obj) errs.push(...validate(s, obj[k], refs, `${at}.${k}`));
    }
  }
  return errs;
}
