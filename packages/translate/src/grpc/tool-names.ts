/** The longest tool name MCP allows. */
const MAX_TOOL_NAME = 128;
const NOT_ALLOWED = /[^A-Za-z0-9_.-]/g;

/** One unary method to name. */
export interface MethodName {
  /** Fully qualified service name, e.g. `acme.shop.v1.Inventory`. */
  readonly service: string;
  readonly method: string;
}

/**
 * Tool names for `methods`, in order, following MCP's rule (1 to 128 characters from `A-Z`, `a-z`,
 * `0-9`, `_`, `-`, `.`):
 *
 * 1. `<Service>.<Method>` with the service's simple name (`Inventory.PutItem`); when two services
 *    share a simple name, their methods use the full service name (`acme.shop.v1.Inventory.PutItem`).
 * 2. Every other character becomes `_`, and the name is cut to 128 characters.
 * 3. A name already taken gets `_2`, `_3`, ... (within the 128 characters).
 */
export function assignToolNames(methods: readonly MethodName[]): string[] {
  const servicesBySimpleName = new Map<string, Set<string>>();
  for (const { service } of methods) {
    const simple = simpleName(service);
    const services = servicesBySimpleName.get(simple) ?? new Set<string>();
    services.add(service);
    servicesBySimpleName.set(simple, services);
  }
  const taken = new Set<string>();
  return methods.map(({ service, method }) => {
    const simple = simpleName(service);
    const qualifier = (servicesBySimpleName.get(simple)?.size ?? 0) > 1 ? service : simple;
    const base = sanitizeToolName(`${qualifier}.${method}`);
    let name = base;
    for (let n = 2; taken.has(name); n++) {
      const suffix = `_${n}`;
      name = base.slice(0, MAX_TOOL_NAME - suffix.length) + suffix;
    }
    taken.add(name);
    return name;
  });
}

/** `name` with characters MCP does not allow in a tool name replaced by `_`, at most 128 long. */
export function sanitizeToolName(name: string): string {
  const sanitized = name.replace(NOT_ALLOWED, "_").slice(0, MAX_TOOL_NAME);
  return sanitized === "" ? "_" : sanitized;
}

function simpleName(service: string): string {
  return service.slice(service.lastIndexOf(".") + 1);
}
