// Types of scripts/generated-config.js (plain JavaScript: wrangler runs its check directly).
export const USER_CONFIG: string;
export const GENERATED_CONFIG: string;
export const DEPLOY_REDIRECT: string;
export function inputsHash(root: string, dirs: string[]): string;
export function inputsLine(hash: string, dirs: string[]): string;
export function staleness(root: string): string | undefined;
