// Pure check of one normalised message against a tracking plan. Schemas are compiled once per plan.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { AppError } from '../../shared/errors.js';
import type { TrackingPlan, Violation } from './schema.js';

export type PlanCheck = (message: { type: string; event?: unknown; properties?: unknown; traits?: unknown }) => Violation[];

/** Compiles every schema of the plan; an invalid schema is a 400 naming the event. */
export function compilePlan(plan: TrackingPlan): PlanCheck {
  const ajv = new Ajv({ allErrors: true, strict: false });
  // email, date-time, uri, uuid …: the formats plan authors expect JSON Schema to check.
  addFormats.default(ajv);
  const compile = (schema: Record<string, unknown>, where: string): ValidateFunction => {
    try {
      return ajv.compile(schema);
    } catch (err) {
      throw new AppError('invalid_tracking_plan', 400, `${where}: not a valid JSON Schema (${(err as Error).message})`, { field: where });
    }
  };
  const events = new Map(Object.entries(plan.events).map(([name, e]) => [name, e.properties ? compile(e.properties, `events.${name}.properties`) : undefined]));
  const traits = plan.identify ? compile(plan.identify.traits, 'identify.traits') : undefined;
  const unplanned = (plan.unplannedEvents ?? 'violation') === 'violation';

  return (message) => {
    if (message.type === 'track') {
      const name = String(message.event);
      if (!events.has(name)) return unplanned ? [{ code: 'unplanned_event', field: 'event', message: `"${name}" is not in the tracking plan` }] : [];
      const validate = events.get(name);
      return validate && !validate(message.properties ?? {}) ? validate.errors!.map((e) => violation('invalid_properties', 'properties', e)) : [];
    }
    if (message.type === 'identify' && traits && !traits(message.traits ?? {})) return traits.errors!.map((e) => violation('invalid_traits', 'traits', e));
    return [];
  };
}

function violation(code: Violation['code'], root: string, e: ErrorObject): Violation {
  const path = e.instancePath.slice(1).replace(/\//g, '.');
  const missing = e.keyword === 'required' ? (e.params as { missingProperty: string }).missingProperty : undefined;
  const field = [root, path, missing].filter(Boolean).join('.');
  return { code, field, message: missing ? `${field} is required` : `${field} ${e.message ?? 'is invalid'}` };
}
