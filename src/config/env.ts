/** The environment as env-schema parsed it (src/config.ts), handed to each area's part of the configuration. */
export type Env = Record<string, string | number | boolean | undefined>

/** A string setting, undefined when unset or empty. */
export type Read = (name: string) => string | undefined
